// Model output: marked -> DOMPurify.sanitize -> innerHTML, then [n] markers become buttons. Every block gets its own
// direction so Arabic quotes in an English answer (or English in an Arabic one) read in their own order.
const marked = window.marked;
const DOMPurify = window.DOMPurify;

// Only the tags markdown produces; no images, media, forms, frames, styles or event handlers.
const PURIFY_CONFIG = Object.freeze({
  ALLOWED_TAGS: ['p', 'br', 'strong', 'em', 'b', 'i', 'del', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li',
    'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'sup', 'sub', 'span'],
  ALLOWED_ATTR: ['href', 'title', 'start', 'colspan', 'rowspan', 'align', 'dir', 'lang'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
  ALLOW_DATA_ATTR: false,
});

// Citation markers as the model writes them: [1], [1, 2], [١], [1،2].
const MARKER_PATTERN = /\[\s*([0-9\u0660-\u0669\u06F0-\u06F9]{1,3}(?:\s*[,،]\s*[0-9\u0660-\u0669\u06F0-\u06F9]{1,3})*)\s*\]/g;
const BLOCKS = 'p, li, blockquote, h3, h4, h5, h6, td, th, dd, dt';

let configured = false;

function configure() {
  if (configured) {
    return;
  }
  configured = true;
  marked.use({
    gfm: true,
    breaks: true,
    renderer: {
      // Raw HTML in model output is shown as the text it is, never parsed as markup.
      html(token) {
        return escapeHtml(token.text || token.raw || '');
      },
    },
    // Headings inside an answer must not outrank the page's own headings.
    walkTokens(token) {
      if (token.type === 'heading') {
        token.depth = Math.min(6, Math.max(3, token.depth + 2));
      }
    },
  });
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      node.setAttribute('rel', 'noopener noreferrer nofollow');
      node.setAttribute('target', '_blank');
    }
  });
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

export function toAsciiDigits(text) {
  return text.replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06F0));
}

/** The passage numbers an answer cites, in the order the reader meets them (a group's numbers in ascending order). */
export function citedInOrder(text) {
  const seen = [];
  for (const match of String(text).matchAll(MARKER_PATTERN)) {
    for (const number of groupNumbers(match[1])) {
      if (!seen.includes(number)) {
        seen.push(number);
      }
    }
  }
  return seen;
}

function groupNumbers(group) {
  return [...new Set(toAsciiDigits(group).split(/\s*[,،]\s*/).map(Number))].sort((a, b) => a - b);
}

/**
 * Renders markdown into root; makeMarker(number) builds the button for a citation marker. Each block element takes the
 * direction of its own first letters (dir="auto", which also isolates it), so a list of Arabic quotes under an English
 * lead is right-to-left item by item.
 */
export function renderMarkdown(root, text, makeMarker) {
  configure();
  const html = marked.parse(text, { async: false });
  root.innerHTML = DOMPurify.sanitize(html, PURIFY_CONFIG);
  for (const block of root.querySelectorAll(BLOCKS)) {
    block.dir = 'auto';
  }
  linkifyMarkers(root, makeMarker);
}

// Replaces [n] markers in the sanitized answer's text nodes with buttons, in number order within a group.
function linkifyMarkers(root, makeMarker) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      return node.parentElement && node.parentElement.closest('code, pre, a') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
    },
  });
  const textNodes = [];
  while (walker.nextNode()) {
    textNodes.push(walker.currentNode);
  }
  for (const node of textNodes) {
    const text = node.nodeValue;
    MARKER_PATTERN.lastIndex = 0;
    if (!MARKER_PATTERN.test(text)) {
      continue;
    }
    MARKER_PATTERN.lastIndex = 0;
    const fragment = document.createDocumentFragment();
    let last = 0;
    let match;
    while ((match = MARKER_PATTERN.exec(text)) !== null) {
      fragment.append(text.slice(last, match.index));
      const group = document.createElement('span');
      group.className = 'cite-group';
      for (const number of groupNumbers(match[1])) {
        group.append(makeMarker(number));
      }
      fragment.append(group);
      last = match.index + match[0].length;
    }
    fragment.append(text.slice(last));
    node.replaceWith(fragment);
  }
}
