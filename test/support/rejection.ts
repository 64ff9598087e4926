import { expect } from "vitest";

/**
 * What `work` was rejected with, asserted to be an `errorClass` (a fulfilled `work` fails the test),
 * for tests that go on to read the error's fields.
 */
export async function rejectionOf<E extends Error>(
  work: Promise<unknown>,
  errorClass: abstract new (...args: never[]) => E,
): Promise<E> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(errorClass);
  return error as E;
}
