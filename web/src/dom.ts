/** Building the page from elements (never from HTML strings, so no text can inject markup). */

type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

export function h(tag: string, attributes: Attributes = {}, ...children: (Child | Child[])[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

let fieldIds = 0;

/** A labelled form control: the label wraps its text and the control. */
export function field(label: string, control: HTMLElement): HTMLElement {
  control.id ||= `field-${++fieldIds}`;
  return h("label", { for: control.id }, label, control);
}

export const PLACEHOLDER = "/placeholder.svg";

/** A poster that falls back to the placeholder when it cannot load (offline, no poster). */
export function poster(url: string | null, title: string): HTMLElement {
  const image = h("img", {
    class: "poster", alt: `Poster of ${title}`, loading: "lazy", width: 200, height: 300,
    src: url ?? PLACEHOLDER,
  }) as HTMLImageElement;
  image.addEventListener("error", () => {
    if (!image.src.endsWith(PLACEHOLDER)) image.src = PLACEHOLDER;
  });
  return image;
}

export function formValues(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  new FormData(form).forEach((value, name) => { values[name] = String(value); });
  return values;
}
