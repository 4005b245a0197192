// Small helpers to build the page with DOM calls: text always goes in as text, never as HTML.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.substring(2), value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let nextId = 0;
/** A labelled form field: the label names the control for assistive technology. */
export function field(labelText, control) {
  if (!control.id) control.id = `f${++nextId}`;
  return el('div', { class: 'field' }, el('label', { for: control.id, text: labelText }), control);
}

export function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
