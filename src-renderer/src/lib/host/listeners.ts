/** A set of listeners where one that throws does not stop the others from hearing the news. */
export class Listeners<T> {
  #listeners: ((value: T) => void)[] = [];

  add(listener: (value: T) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  emit(value: T): void {
    // Copy first: a listener may unsubscribe itself while we iterate.
    for (const listener of [...this.#listeners]) {
      try {
        listener(value);
      } catch (error) {
        console.error('[layerlab] listener failed', error);
      }
    }
  }

  clear(): void {
    this.#listeners = [];
  }
}

/** A Watchable backed by a value and a Listeners set. */
export class WatchableValue<T> {
  #value: T;
  #listeners = new Listeners<T>();

  constructor(initial: T) {
    this.#value = initial;
  }

  get current(): T {
    return this.#value;
  }

  set(value: T): void {
    this.#value = value;
    this.#listeners.emit(value);
  }

  subscribe(listener: (value: T) => void): () => void {
    return this.#listeners.add(listener);
  }
}
