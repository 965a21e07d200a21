/**
 * `{ ...base, ...fields }` made with `Object.assign`. On Node 20 (V8 11.3) an object literal that
 * spreads an object and then defines more properties takes a slow path, about 0.5 µs for each
 * property defined after the spread (`{ ...value, cached }`: 0.55 µs; a metric result with five
 * more fields: 2.3 µs), and this runs for every metric of every case. `Object.assign` copies the
 * same properties in the same order in about 0.1 µs on Node 20 and 22 alike.
 */

/**
 * A new object with the own enumerable properties of `base`, then those of `fields` (which win),
 * in the order `{ ...base, ...fields }` gives. A `base` with an own `__proto__` key (parsed JSON)
 * is spread instead, so that the key stays a plain property and never sets the copy's prototype.
 */
export function withFields<A extends object, B extends object>(base: A, fields: B): Omit<A, keyof B> & B {
  if (Object.hasOwn(base, '__proto__') || Object.hasOwn(fields, '__proto__')) return { ...base, ...fields }
  return Object.assign({}, base, fields)
}
