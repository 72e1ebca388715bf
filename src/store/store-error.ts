// The one error type the store throws for problems an operator must fix (permissions, corruption, versions).

export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}
