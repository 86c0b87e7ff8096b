/**
 * A schema built on first use. `lazySchema(() => z.object(…))` has the built schema's own type, so
 * `z.infer<typeof X>` stays derived from it, yet nothing is constructed until a parse, a method or a
 * field reaches it: a process waiting on one kind of job builds that kind's schemas and no other's.
 * Every read, check and write goes to the built schema, so it behaves as that schema in every use.
 */
export function lazySchema<T extends object>(build: () => T): T {
  let schema: T | undefined;
  const built = (): T => {
    schema ??= build();
    return schema;
  };
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(built(), key),
    set: (_, key, value) => Reflect.set(built(), key, value),
    has: (_, key) => Reflect.has(built(), key),
    ownKeys: () => Reflect.ownKeys(built()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(built(), key);
      // The stand-in holds none of these itself: a proxy may report them only as configurable.
      if (descriptor) descriptor.configurable = true;
      return descriptor;
    },
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(built(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(built(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(built()),
  });
}
