/** Set by the post step's entry (post-entry.ts) before it loads the main bundle: run the post phase. */
export const POST_PHASE = Symbol.for('jobgate.action.post');
