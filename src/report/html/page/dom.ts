/**
 * The page's only way to make elements. Every piece of run data is shown as text (textContent, text
 * nodes, with bidi controls made visible): nothing from a run ever becomes markup, a link, a style
 * or a request.
 */

/** What an element can hold: nodes, and strings or numbers (made text nodes). */
export type Child = Node | string | number | null | undefined | false | readonly Child[]

/** Properties of {@link el}: `text`, `class`, `on` (listeners), `style`, attributes and DOM properties. */
export interface Props {
  class?: string
  text?: string | number
  on?: Record<string, (event: Event) => void>
  style?: Record<string, string>
  [name: string]: unknown
}

/** Bidi controls made visible, so that no text can reorder what is shown around it. */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g

/** `text` with its bidi controls written as `⟦U+202E⟧`. */
export function visible(text: unknown): string {
  return String(text).replace(BIDI, (c) => `⟦U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟧`)
}

const ATTRIBUTES = new Set(['id', 'type', 'title', 'role'])

/** An element with properties and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue
      if (key === 'class') node.className = String(value)
      else if (key === 'text') node.textContent = visible(value)
      else if (key === 'on') {
        for (const [type, fn] of Object.entries(value as Record<string, (event: Event) => void>))
          node.addEventListener(type, fn)
      } else if (key === 'style') {
        for (const [prop, v] of Object.entries(value as Record<string, string>)) node.style.setProperty(prop, v)
      } else if (key.startsWith('data-') || key.startsWith('aria-') || ATTRIBUTES.has(key))
        node.setAttribute(key, String(value))
      else (node as unknown as Record<string, unknown>)[key] = value
    }
  }
  append(node, children)
  return node
}

/** Appends `children` to `node` (strings and numbers as text nodes, nested arrays flattened). */
export function append<T extends Node>(node: T, children: readonly Child[]): T {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(node, child)
    else if (typeof child === 'string' || typeof child === 'number')
      node.appendChild(document.createTextNode(String(child)))
    else node.appendChild(child as Node)
  }
  return node
}

/** Removes every child of `node`. */
export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild)
}
