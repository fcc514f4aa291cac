/**
 * The reference model cases: `models/<name>/cases.json` plus the inputs and outputs stored in
 * `expected.safetensors` as `<case>/input/<name>` (int64) and `<case>/output/<field>` (float32).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsFile } from '../../src/io/safetensors.js';
import { referencePath } from './reference.js';

export interface ReferenceCase {
  name: string;
  inputs: string[];
  fields: string[];
}

export interface ReferenceModel {
  name: string;
  kind: 'question' | 'context' | 'reader';
  dir: string;
  cases: ReferenceCase[];
}

/** Every reference model directory that has cases.json (all but the legacy-bin copy). */
export function referenceModels(): ReferenceModel[] {
  const root = referencePath('models');
  return readdirSync(root)
    .sort()
    .filter((name) => existsSync(join(root, name, 'cases.json')))
    .map((name) => {
      const json = JSON.parse(readFileSync(join(root, name, 'cases.json'), 'utf8')) as {
        kind: ReferenceModel['kind'];
        cases: ReferenceCase[];
      };
      return { name, kind: json.kind, dir: join(root, name), cases: json.cases };
    });
}

export interface StoredTensor {
  shape: number[];
  values: Float32Array | number[] | Int32Array;
}

export class ExpectedFile {
  private readonly file: SafetensorsFile;

  constructor(dir: string) {
    this.file = SafetensorsFile.open(join(dir, 'expected.safetensors'));
  }

  /** ids as number[][] ([batch, seq]). */
  inputMatrix(caseName: string, input: string): number[][] {
    const name = `${caseName}/input/${input}`;
    const [rows, cols] = this.file.info(name).shape as [number, number];
    const flat = this.file.readIntegers(name);
    return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => flat[r * cols + c]!));
  }

  output(caseName: string, field: string): StoredTensor {
    const name = `${caseName}/output/${field}`;
    return { shape: this.file.info(name).shape, values: this.file.readFloat32(name) };
  }

  close(): void {
    this.file.close();
  }
}
