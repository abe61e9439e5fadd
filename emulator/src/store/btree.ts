import sortedBtree from 'sorted-btree';

/** sorted-btree ships CommonJS with `exports.default`; this is its class under ESM. */
export const BTree = sortedBtree.default;
export type BTree<K, V> = InstanceType<typeof sortedBtree.default<K, V>>;
