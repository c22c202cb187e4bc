/** The item types a Momento cache holds, and the value each keeps in the emulator. */
export interface ItemValues {
  scalar: Uint8Array;
  /** field (latin1 string of its bytes) -> value */
  dictionary: Map<string, Uint8Array>;
  /** element (latin1 string of its bytes) */
  set: Set<string>;
  list: Uint8Array[];
  /** element (latin1 string of its bytes) -> score */
  'sorted-set': Map<string, number>;
}

export type ItemKind = keyof ItemValues;

export interface CacheItem<K extends ItemKind = ItemKind> {
  readonly kind: K;
  value: ItemValues[K];
  /** Epoch milliseconds after which the item no longer exists. */
  expiresAt: number;
}

/**
 * Bytes as a Map/Set key. latin1 maps each byte to one UTF-16 unit, so the encoding is lossless
 * and reversible for any bytes (unlike utf8).
 */
export const bytesToKey = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
export const keyToBytes = (key: string): Uint8Array => Buffer.from(key, 'latin1');

export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** Whether a collection has no elements left (Momento drops empty collections). */
export function isEmptyCollection(item: CacheItem): boolean {
  switch (item.kind) {
    case 'scalar':
      return false;
    case 'list':
      return (item.value as Uint8Array[]).length === 0;
    default:
      return (item.value as Map<string, unknown> | Set<string>).size === 0;
  }
}
