import type { BenchOptions, Section } from './util';
export async function skippingSection(_o: BenchOptions): Promise<Section> {
  throw new Error('todo');
}
