import { el } from '../dom.js';
import { t } from '../i18n.js';

export async function render(main) {
  main.append(el('p', { text: t('common.loading') }));
  return null;
}
