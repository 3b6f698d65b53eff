import type { ScalingNode, Section } from '@eks-info/contracts';
import type { PriceBook } from './price-book';

/** Node cards or a node list with each node's $/h (from the price cache; missing prices are looked up in the background). */
export function withNodePrices<T extends { nodes: ScalingNode[] }>(section: Section<T>, book: PriceBook | undefined): Section<T> {
  if (!book || section.status !== 'ok') return section;
  return { ...section, data: { ...section.data, nodes: section.data.nodes.map((n) => ({ ...n, usdPerHour: book.lookup(n).usdPerHour })) } };
}
