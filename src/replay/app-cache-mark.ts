/**
 * The mark a project module that mentions an app cache wrapper sets on `globalThis` (appended by the
 * plugin's transform): its own module, so that the plugin imports nothing of the worker side for it.
 */
export const APP_CACHE_MARK = '__vitestJudgeAppCache'
