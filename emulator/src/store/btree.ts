import sortedBtree from 'sorted-btree';

type BTreeClass = typeof sortedBtree.default;

// sorted-btree is CommonJS with `exports.default`: Node's ESM loader hands us the exports
// object while bundler-style interop (vitest) hands us the class itself.
const loaded = sortedBtree as unknown as BTreeClass | { default: BTreeClass };

/** The B+ tree class of sorted-btree under either module interop. */
export const BTree: BTreeClass = typeof loaded === 'function' ? loaded : loaded.default;
export type BTree<K, V> = InstanceType<typeof sortedBtree.default<K, V>>;
