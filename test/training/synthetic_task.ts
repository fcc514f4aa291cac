/**
 * A small retrieval task built from data/sample_corpus.jsonl: questions made from passage facts
 * (capitals, currencies, chemical symbols, authors, people), each with a hard negative about the
 * same entity or of the same kind. Entities are split between train and dev, so dev measures what
 * carries over to passages the encoders never trained on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../helpers/reference.js';

interface Passage {
  id: string;
  title: string;
  text: string;
}
interface Sample {
  question: string;
  answers: string[];
  positive_ctxs: { title: string; text: string }[];
  hard_negative_ctxs: { title: string; text: string }[];
}

const ctx = (p: Passage) => ({ title: p.title, text: p.text });

export function syntheticTask(): { train: Sample[]; dev: Sample[] } {
  const passages = readFileSync(join(PROJECT_ROOT, 'data', 'sample_corpus.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Passage);
  const byId = new Map(passages.map((p) => [p.id, p]));
  const samples: Sample[] = [];
  const kinds = new Map<string, Passage[]>();
  for (const p of passages) {
    const kind = p.id.startsWith('country-facts-') ? 'facts' : p.id.split('-')[0]!;
    kinds.set(kind, [...(kinds.get(kind) ?? []), p]);
  }
  const sameKind = (p: Passage, kind: string) => {
    const list = kinds.get(kind)!;
    return list[(list.indexOf(p) + 1) % list.length]!;
  };
  for (const p of passages) {
    let m: RegExpExecArray | null;
    if ((m = /^(.+) is a country in .+\. Its capital is (.+)\.$/.exec(p.text)) !== null) {
      const facts = byId.get(p.id.replace('country-', 'country-facts-') + '-language-and-currency');
      samples.push({
        question: `what is the capital of ${m[1]}?`,
        answers: [m[2]!],
        positive_ctxs: [ctx(p)],
        hard_negative_ctxs: facts ? [ctx(facts)] : [],
      });
    } else if ((m = /^The official language of (.+) is (.+), and its currency is (.+)\.$/.exec(p.text)) !== null) {
      const country = byId.get(p.id.replace('country-facts-', 'country-').replace('-language-and-currency', ''));
      samples.push({
        question: `which currency is used in ${m[1]}?`,
        answers: [m[3]!],
        positive_ctxs: [ctx(p)],
        hard_negative_ctxs: country ? [ctx(country)] : [],
      });
    } else if ((m = /^(.+) is the chemical element with the symbol (\w+)/.exec(p.text)) !== null) {
      samples.push({
        question: `which element has the symbol ${m[2]}?`,
        answers: [m[1]!],
        positive_ctxs: [ctx(p)],
        hard_negative_ctxs: [ctx(sameKind(p, 'element'))],
      });
    } else if ((m = /^(.+) is a work by (.+), published in (\d+)/.exec(p.text)) !== null) {
      samples.push({
        question: `who wrote ${m[1]}?`,
        answers: [m[2]!],
        positive_ctxs: [ctx(p)],
        hard_negative_ctxs: [ctx(sameKind(p, 'book'))],
      });
    } else if (p.id.startsWith('person-')) {
      samples.push({
        question: `what is ${p.title} known for?`,
        answers: [p.title],
        positive_ctxs: [ctx(p)],
        hard_negative_ctxs: [ctx(sameKind(p, 'person'))],
      });
    }
  }
  // Every fifth sample (by entity) is held out for dev.
  return { train: samples.filter((_, i) => i % 5 !== 0), dev: samples.filter((_, i) => i % 5 === 0) };
}
