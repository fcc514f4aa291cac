// Types for the parts of wink-bm25-text-search (CommonJS, untyped) that bm25_index.ts uses.
declare module 'wink-bm25-text-search' {
  interface WinkBm25Config {
    fldWeights: Record<string, number>;
    bm25Params?: { k1?: number; b?: number; k?: number };
    ovFldNames?: string[];
  }
  interface WinkBm25 {
    defineConfig(config: WinkBm25Config): boolean;
    definePrepTasks(tasks: Array<(input: unknown) => unknown>, field?: string): number;
    addDoc(doc: Record<string, string>, id: string | number): number;
    consolidate(freqPrecision?: number): boolean;
    search(text: string, limit?: number): Array<[string, number]>;
    exportJSON(): string;
    importJSON(json: string): boolean;
    getDocs(): Record<string, { length: number; freq: Record<string, number> }>;
  }
  const bm25: () => WinkBm25;
  export default bm25;
}
