import { el } from './dom';
import { runLabel, type ViewContext } from './view';

/** The run a single-run view shows: the first selected one, switchable here. */
export function runPicker(ctx: ViewContext, current: string | undefined): HTMLElement {
  const picker = el(
    'select',
    { id: 'run-picker' },
    ...ctx.state.runs.map((r) => el('option', { value: r.id, selected: r.id === current }, runLabel(ctx, r.id))),
  );
  picker.addEventListener('change', () => ctx.select([picker.value, ...ctx.selected().filter((id) => id !== picker.value)]));
  return el('label', {}, 'Run ', picker);
}
