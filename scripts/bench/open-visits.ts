import type { BenchOptions, Section } from './util';
export async function openSection(_o: BenchOptions): Promise<Section> {
  throw new Error('todo');
}
