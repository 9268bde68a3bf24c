// The measures tests/e2e/test_pages_browser.py takes in every page, injected before the page's own scripts
// (Playwright's init script, outside the page's CSP) beside axe-core.
window.parcoursChecks = {
  // Everything that sticks out of the viewport, and every table whose columns are out of view without a
  // focusable, named scroll container around it.
  // whole: tables must show all their columns (at 1280 px), scroll container or not.
  measure: (whole) => {
  const vw = window.innerWidth, problems = [];
  const describe = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '');
  const scroller = (e) => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o !== 'visible') return a;
    }
    return null;
  };
  const width = document.scrollingElement.scrollWidth;
  if (width > vw) {
    const wide = [...document.body.querySelectorAll('*')].filter((e) => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.right > vw + 1;
    });
    const outermost = wide.filter((e) => !wide.includes(e.parentElement)).slice(0, 4).map(describe);
    problems.push(`page plus large que l'écran (${width} px > ${vw} px) : ${outermost.join(', ')}`);
  }
  for (const table of document.querySelectorAll('table')) {
    const box = scroller(table);
    const visible = Math.min(vw, box ? box.getBoundingClientRect().right : vw);
    const hidden = table.getBoundingClientRect().left + table.scrollWidth - visible;
    if (hidden <= 1) continue;
    const caption = (table.caption ? table.caption.textContent : describe(table)).trim().replace(/\s+/g, ' ');
    const focusable = box && ['auto', 'scroll'].includes(getComputedStyle(box).overflowX) &&
      box.getAttribute('tabindex') === '0' &&
      (box.getAttribute('aria-label') || box.getAttribute('aria-labelledby'));
    if (whole) problems.push(`tableau « ${caption} » : ${Math.round(hidden)} px de colonnes hors de vue`);
    else if (!focusable) problems.push(`tableau « ${caption} » : ${Math.round(hidden)} px de colonnes hors de vue sans zone de défilement focalisable`);
  }
  // A button whose label is clipped: a DSFR icon button inside a .fr-btns-group without
  // fr-btns-group--icon-left shows its icon only (« Supprimer définitivement » became a bare bin).
  for (const button of document.querySelectorAll('main .fr-btn')) {
    const r = button.getBoundingClientRect();
    if (r.width === 0 || !button.textContent.trim()) continue;
    if (button.scrollWidth > button.clientWidth + 1) {
      problems.push(`bouton « ${button.textContent.trim().replace(/\s+/g, ' ')} » : libellé coupé (${button.clientWidth} px pour ${button.scrollWidth} px)`);
    }
  }
  return problems;
},
  // « Se déconnecter » inside the viewport (a long user and organisation name pushed it out at 1280 px).
  logoutInView: () => {
  const button = [...document.querySelectorAll('header button')].find((b) => b.textContent.trim() === 'Se déconnecter');
  if (!button) return 'bouton « Se déconnecter » absent';
  const r = button.getBoundingClientRect();
  return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth ? null
    : `« Se déconnecter » hors de vue (${Math.round(r.left)}–${Math.round(r.right)} px pour ${window.innerWidth} px)`;
},
  // The AFIS condition not met, named before the conditions table and in view.
  afisSaid: (label) => {
  const table = [...document.querySelectorAll('table')].find((t) => t.caption && t.caption.textContent.includes("Conditions de l'AFIS"));
  const said = [...document.querySelectorAll('main li, main p')].find((e) =>
    e.textContent.includes(label) && e.textContent.includes('Condition non remplie'));
  if (!said) return 'la condition non remplie de l’AFIS n’est pas nommée hors du tableau';
  const r = said.getBoundingClientRect();
  if (r.left < 0 || r.right > window.innerWidth + 1) return 'la condition non remplie de l’AFIS est hors de vue';
  if (table && !(said.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING)) return 'la condition non remplie est dite après le tableau';
  return null;
},
  // axe-core's violations, with their impact and the first few elements concerned.
  axe: async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map((v) => ({id: v.id, impact: v.impact,
    targets: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}));
},
};
