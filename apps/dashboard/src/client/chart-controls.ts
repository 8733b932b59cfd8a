import type { XAxis } from './chart-card';
import { el } from './dom';
import type { ViewContext } from './view';

/** Smoothing slider and x-axis choice, shared by every chart view. */
export function chartControls(ctx: ViewContext, onChange: () => void): HTMLElement {
  const value = el('span', { className: 'muted', id: 'smoothing-value' }, ctx.settings.smoothing.toFixed(2));
  const slider = el('input', { type: 'range', id: 'smoothing', min: 0, max: 0.99, step: 0.01, value: ctx.settings.smoothing });
  slider.addEventListener('input', () => {
    ctx.settings.smoothing = Number(slider.value);
    value.textContent = ctx.settings.smoothing.toFixed(2);
    onChange();
  });
  const axis = el(
    'select',
    { id: 'x-axis' },
    ...(['step', 'epoch', 'wall'] as const).map((a) => el('option', { value: a, selected: a === ctx.settings.xAxis }, a === 'wall' ? 'wall time' : a)),
  );
  axis.addEventListener('change', () => {
    ctx.settings.xAxis = axis.value as XAxis;
    onChange();
  });
  const log = el('input', { type: 'checkbox', id: 'log-y', checked: ctx.settings.logY });
  log.addEventListener('change', () => {
    ctx.settings.logY = log.checked;
    onChange();
  });
  return el(
    'div',
    { className: 'toolbar' },
    el('label', {}, 'Smoothing ', slider, ' ', value),
    el('label', {}, 'X axis ', axis),
    el('label', { title: 'charts whose values are all positive (losses) use a log scale' }, log, ' log y'),
  );
}
