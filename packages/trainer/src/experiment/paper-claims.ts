import { experimentModel } from './experiment-models';
import type { AccuracyRow, PaperResults } from './paper-results';

/** How the numbers bear on a claim; `not tested` when the runs it needs have not finished. */
export type Verdict = 'confirmed' | 'confirmed with a caveat' | 'not confirmed' | 'not tested';

/** One of the method page's claims (§1), judged from the runs. */
export interface ClaimVerdict {
  id: 'accuracy-stability' | 'cell-ranking' | 'memory' | 'separate-federated';
  claim: string;
  verdict: Verdict;
  /** The comparisons it rests on, each with its numbers. */
  evidence: string[];
  /** Which of them fail (the caveats, or why it is not confirmed). */
  failing: string[];
}

/** Our thresholds for judging the claims (not the papers'): stated with every verdict. */
export const CLAIM_THRESHOLDS = {
  /** "Up to 48% less": the largest saving at any depth must reach this. */
  memorySaving: 0.48,
  /** Trained separately and combined: within this many points (fraction) of the centralized separate-schedule twin. */
  combinedGap: 0.05,
} as const;

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const pts = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} points`;
const size = (x: number) => `${(x * 100).toFixed(2)} points`;
const family = (model: string) => experimentModel(model)?.family;

interface Check {
  text: string;
  /** null: the runs it needs have not finished. */
  holds: boolean | null;
}

/** A comparison whose runs have not finished: it keeps the verdict below "confirmed". */
const untested = (what: string): Check => ({ text: `not tested yet: ${what}`, holds: null });

/**
 * `confirmed` when every check holds; a caveat when the `core` one holds but another fails or is untested; not
 * confirmed when the core one fails; not tested without it.
 */
function judge(id: ClaimVerdict['id'], claim: string, core: Check | null, others: Check[]): ClaimVerdict {
  if (!core) return { id, claim, verdict: 'not tested', evidence: others.filter((c) => c.holds !== null).map((c) => c.text), failing: ['the runs this needs have not finished'] };
  const all = [core, ...others];
  const failing = all.filter((c) => c.holds !== true).map((c) => c.text);
  const verdict: Verdict = core.holds === false ? 'not confirmed' : failing.length ? 'confirmed with a caveat' : 'confirmed';
  return { id, claim, verdict, evidence: all.map((c) => `${c.holds === null ? '…' : c.holds ? '✓' : '✗'} ${c.text}`), failing };
}

const best = (rows: readonly AccuracyRow[], fam: string) => rows.filter((r) => family(r.model) === fam && r.finalAccuracy)[0];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function accuracyAndStability(results: PaperResults): ClaimVerdict {
  const checks: Check[] = [];
  for (const { dataset, rows } of results.accuracy) {
    const lbp = best(rows, 'lbp');
    const ff = best(rows, 'ff');
    if (!lbp || !ff) continue;
    checks.push({
      text: `${dataset}: best LBP (${lbp.model} ${pct(lbp.finalAccuracy!.mean)}) vs best FF (${ff.model} ${pct(ff.finalAccuracy!.mean)}): ${pts(lbp.finalAccuracy!.mean - ff.finalAccuracy!.mean)}`,
      holds: lbp.finalAccuracy!.mean > ff.finalAccuracy!.mean,
    });
  }
  const core = checks.length ? { text: checks.map((c) => c.text).join('; '), holds: checks.every((c) => c.holds) } : null;
  const others: Check[] = [];
  const stds = (fam: string) =>
    results.accuracy.flatMap((a) => a.rows.filter((r) => family(r.model) === fam && r.finalAccuracy && r.finalAccuracy.n > 1).map((r) => r.finalAccuracy!.std));
  const [lbpStd, ffStd] = [stds('lbp'), stds('ff')];
  if (lbpStd.length && ffStd.length) {
    others.push({
      text: `spread over seeds: mean std of LBP models ${size(mean(lbpStd))} vs FF models ${size(mean(ffStd))}`,
      holds: mean(lbpStd) <= mean(ffStd),
    });
  } else others.push(untested('spread over seeds of LBP and FF models (runs with 2+ seeds)'));
  const drops = (fam: string) => results.separate.rows.filter((r) => family(r.model) === fam && r.drop !== null).map((r) => r.drop!);
  const [lbpDrop, ffDrop] = [drops('lbp'), drops('ff')];
  if (lbpDrop.length && ffDrop.length) {
    others.push({
      text: `${results.separate.dataset}, separate schedule vs simultaneous: LBP loses ${pts(mean(lbpDrop))}, FF loses ${pts(mean(ffDrop))} (mean over models)`,
      holds: mean(lbpDrop) < mean(ffDrop),
    });
  } else others.push(untested('LBP and FF under the separate schedule'));
  return judge('accuracy-stability', 'LBP is more accurate and more stable than FF (also when each layer is trained to completion alone)', core, others);
}

function cellRanking(results: PaperResults): ClaimVerdict {
  const caeBest: Check[] = [];
  const weakest: Check[] = [];
  const cnnLeads: Check[] = [];
  for (const { dataset, rows } of results.accuracy) {
    const lbp = rows.filter((r) => family(r.model) === 'lbp' && r.finalAccuracy);
    const cae = lbp.find((r) => r.model === 'lbp-cae');
    if (lbp.length < 2 || !cae) continue;
    caeBest.push({ text: `${dataset}: best LBP cell ${lbp[0]!.model} (${pct(lbp[0]!.finalAccuracy!.mean)}), lbp-cae ${pct(cae.finalAccuracy!.mean)}`, holds: lbp[0]!.model === 'lbp-cae' });
    const gan = lbp.find((r) => r.model === 'lbp-gan');
    if (gan && lbp.length > 2) {
      const last = lbp.at(-1)!;
      weakest.push({ text: `${dataset}: weakest LBP cell ${last.model} (${pct(last.finalAccuracy!.mean)}), lbp-gan ${pct(gan.finalAccuracy!.mean)}`, holds: last.model === 'lbp-gan' });
    }
    const cnn = rows.find((r) => r.model === 'bp-cnn' && r.finalAccuracy);
    if (cnn) {
      cnnLeads.push({ text: `${dataset}: bp-cnn ${pct(cnn.finalAccuracy!.mean)} vs lbp-cae ${pct(cae.finalAccuracy!.mean)}: ${pts(cnn.finalAccuracy!.mean - cae.finalAccuracy!.mean)}`, holds: cnn.finalAccuracy!.mean > cae.finalAccuracy!.mean });
    }
  }
  const others = [
    ...(weakest.length ? weakest : [untested('lbp-gan beside two other LBP cells')]),
    ...(cnnLeads.length ? cnnLeads : [untested('bp-cnn beside lbp-cae')]),
  ];
  const core = caeBest.length ? { text: caeBest.map((c) => c.text).join('; '), holds: caeBest.every((c) => c.holds) } : null;
  return judge('cell-ranking', 'the CAE is the most accurate cell, the GAN the weakest, and a BP-trained CNN still leads', core, others);
}

function memory(results: PaperResults): ClaimVerdict {
  const { savings } = results.memoryDepth;
  const conv = savings.filter((s) => s.bp === 'bp-cnn').sort((a, b) => a.depth - b.depth);
  let core: Check | null = null;
  const others: Check[] = [];
  if (conv.length) {
    const top = conv.reduce((a, b) => (b.tensorSaving > a.tensorSaving ? b : a));
    // The claim is the size of the saving: a few percent does not confirm "up to 48%".
    core = {
      text: `largest saving of ${top.lbp} vs ${top.bp} in peak tensor memory: ${pct(top.tensorSaving)} at depth ${top.depth} (claim: up to ${pct(CLAIM_THRESHOLDS.memorySaving)}); ` +
        `per depth ${conv.map((s) => `${s.depth}: ${pct(s.tensorSaving)}`).join(', ')}`,
      holds: top.tensorSaving >= CLAIM_THRESHOLDS.memorySaving,
    };
    others.push({ text: `${top.lbp} needs less peak tensor memory than ${top.bp} at some depth`, holds: top.tensorSaving > 0 });
    if (conv.length > 1) {
      // Grows: no depth saves noticeably (half a point) less than the one before it.
      const grows = conv.every((s, i) => i === 0 || s.tensorSaving >= conv[i - 1]!.tensorSaving - 0.005);
      others.push({
        text: `the saving grows with depth (each depth at least the one before, half a point of slack): ${pct(conv[0]!.tensorSaving)} at depth ${conv[0]!.depth}, ${pct(conv.at(-1)!.tensorSaving)} at depth ${conv.at(-1)!.depth}`,
        holds: grows && conv.at(-1)!.tensorSaving > conv[0]!.tensorSaving,
      });
    } else others.push(untested('the saving at a second depth'));
    others.push({ text: `peak RSS saving (whole process) at depth ${top.depth}: ${pct(top.rssSaving)}`, holds: top.rssSaving > 0 });
  }
  return judge('memory', 'LBP needs up to 48% less training memory than a BP-trained CNN, more so as the stack deepens', core, others);
}

function separateAndFederated(results: PaperResults): ClaimVerdict {
  const rows = results.federated.rows;
  const combined = rows.filter((r) => r.setting === 'cell-distributed' && r.gap !== null);
  const core = combined.length
    ? {
        text: combined
          .map((r) => `${r.model} cell-distributed ${pct(r.finalAccuracy!.mean)} vs trained in one process with the separate schedule ${pct(r.centralized!.mean)}: ${pts(-r.gap!)} (within ${size(CLAIM_THRESHOLDS.combinedGap)} counts)`)
          .join('; '),
        holds: combined.every((r) => r.gap! <= CLAIM_THRESHOLDS.combinedGap),
      }
    : null;
  const others: Check[] = [];
  const partitions = [...new Set(rows.filter((r) => r.setting !== 'cell-distributed').map((r) => r.setting))];
  for (const setting of partitions) {
    const here = rows.filter((r) => r.setting === setting && r.gap !== null);
    const lbp = here.filter((r) => family(r.model) === 'lbp');
    const ff = here.filter((r) => family(r.model) === 'ff');
    for (const f of ff) {
      for (const l of lbp) {
        others.push({
          text: `${setting}: ${l.model} federated ${pct(l.finalAccuracy!.mean)} (${pts(-l.gap!)} vs centralized) vs ${f.model} ${pct(f.finalAccuracy!.mean)} (${pts(-f.gap!)})`,
          holds: l.finalAccuracy!.mean > f.finalAccuracy!.mean,
        });
      }
    }
  }
  if (!others.length) others.push(untested('an LBP and an FF model federated on the same partition'));
  return judge('separate-federated', 'cells trained separately (by different participants) and combined work, which suits federated learning', core, others);
}

/** The four claims of method.md §1, each judged from the results. */
export function judgeClaims(results: PaperResults): ClaimVerdict[] {
  return [accuracyAndStability(results), cellRanking(results), memory(results), separateAndFederated(results)];
}
