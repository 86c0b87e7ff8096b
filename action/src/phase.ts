/** Set by the post step's entry (entry.ts) before it loads the step's bundle: run the post phase. */
export const POST_PHASE = Symbol.for('jobgate.action.post');
