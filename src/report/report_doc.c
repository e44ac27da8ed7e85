/* The report's text: growing buffers, and a small document writer that appends the same
 * content as GitHub-flavoured Markdown and as HTML, escaping plain text for each. What goes
 * into the report is decided in report.c and report_tables.c. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"

/* ---- buffers ---- */

void rp_buf_put(rp_buf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (b->n + n + 1 > cap)
      cap *= 2;
    char *p = realloc(b->s, cap);
    if (!p) {
      b->oom = 1;
      return;
    }
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

void rp_buf_puts(rp_buf *b, const char *s) { rp_buf_put(b, s, strlen(s)); }

static void buf_vprintf(rp_buf *b, const char *fmt, va_list ap) {
  char small[1024];
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  if (n < 0) {
    va_end(ap2);
    return;
  }
  if ((size_t)n < sizeof small) {
    rp_buf_put(b, small, (size_t)n);
  } else {
    char *big = malloc((size_t)n + 1);
    if (big) {
      vsnprintf(big, (size_t)n + 1, fmt, ap2);
      rp_buf_put(b, big, (size_t)n);
      free(big);
    } else {
      b->oom = 1;
    }
  }
  va_end(ap2);
}

void rp_buf_printf(rp_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(b, fmt, ap);
  va_end(ap);
}

void rp_buf_free(rp_buf *b) {
  free(b->s);
  memset(b, 0, sizeof *b);
}

void rp_num(double v, char *buf, size_t n) {
  if (!isfinite(v))
    snprintf(buf, n, "n/a");
  else
    snprintf(buf, n, "%.3g", v);
}

void rp_strcatf(char *buf, size_t n, const char *fmt, ...) {
  size_t k = strlen(buf);
  if (k + 1 >= n) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf + k, n - k, fmt, ap);
  va_end(ap);
}

/* ---- escaping ---- */

/* Plain text as HTML text or attribute value. */
static void html_text(rp_buf *b, const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '&':
      rp_buf_puts(b, "&amp;");
      break;
    case '<':
      rp_buf_puts(b, "&lt;");
      break;
    case '>':
      rp_buf_puts(b, "&gt;");
      break;
    case '"':
      rp_buf_puts(b, "&quot;");
      break;
    case '\'':
      rp_buf_puts(b, "&#39;");
      break;
    default:
      rp_buf_put(b, s, 1);
    }
  }
}

/* Plain text as Markdown that shows the same characters: backslash-escapes what could start
 * markup (emphasis, links, code, HTML tags, entities, table pipes); line breaks become spaces
 * in table cells. Comparisons such as "0.41 < 3.2" are left readable. */
static void md_text(rp_buf *b, const char *s, int in_cell) {
  const char *start = s;
  for (; *s; s++) {
    const char ch = *s, next = s[1];
    int esc = 0;
    switch (ch) {
    case '\\':
    case '*':
    case '[':
    case ']':
    case '`':
    case '|':
      esc = 1;
      break;
    case '<':
      esc = (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || next == '/' ||
            next == '!' || next == '?';
      break;
    case '&':
      esc = (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || next == '#';
      break;
    case '>':
      esc = s == start;
      break;
    case '#':
    case '+':
    case '-':
      esc = s == start && (next == ' ' || next == '\0');
      break;
    case '_':
      esc = s == start || s[-1] == ' ';
      break;
    default:
      break;
    }
    if (in_cell && (ch == '\n' || ch == '\r')) {
      rp_buf_puts(b, " ");
      continue;
    }
    if (esc) rp_buf_puts(b, "\\");
    rp_buf_put(b, s, 1);
  }
}

/* Percent-encodes a relative path for a URL (keeps letters, digits, - . _ ~ and /). */
static void url_path(rp_buf *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    unsigned char ch = *p;
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
        strchr("-._~/", ch)) {
      rp_buf_put(b, (const char *)p, 1);
    } else {
      char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
      rp_buf_put(b, e, 3);
    }
  }
}

void rp_buf_html_text(rp_buf *b, const char *s) { html_text(b, s); }

/* ---- blocks ---- */

void rp_heading(rp_doc *d, int level, const char *text) {
  if (level < 1) level = 1;
  if (level > 4) level = 4;
  rp_buf_printf(&d->md, "%.*s ", level, "####");
  md_text(&d->md, text, 1);
  rp_buf_puts(&d->md, "\n\n");
  /* an id from the text's letters and digits, for links to sections */
  rp_buf_printf(&d->html, "<h%d id=\"", level);
  int dash = 0, any = 0;
  for (const char *p = text; *p; p++) {
    const char ch = *p;
    if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z')) {
      if (dash && any) rp_buf_puts(&d->html, "-");
      rp_buf_printf(&d->html, "%c", ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
      dash = 0, any = 1;
    } else {
      dash = 1;
    }
  }
  rp_buf_puts(&d->html, "\">");
  html_text(&d->html, text);
  rp_buf_printf(&d->html, "</h%d>\n", level);
}

void rp_para(rp_doc *d, const char *fmt, ...) {
  rp_buf text = {0};
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(&text, fmt, ap);
  va_end(ap);
  if (text.oom) d->md.oom = 1;
  md_text(&d->md, text.s ? text.s : "", 1);
  rp_buf_puts(&d->md, "\n\n");
  rp_buf_puts(&d->html, "<p>");
  html_text(&d->html, text.s ? text.s : "");
  rp_buf_puts(&d->html, "</p>\n");
  rp_buf_free(&text);
}

void rp_pre(rp_doc *d, const char *text) {
  /* A fence longer than any run of backticks in the text. */
  int longest = 0, run = 0;
  for (const char *p = text; *p; p++) {
    run = *p == '`' ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  int fence = longest >= 3 ? longest + 1 : 3;
  for (int i = 0; i < fence; i++)
    rp_buf_puts(&d->md, "`");
  rp_buf_puts(&d->md, "text\n");
  rp_buf_puts(&d->md, text);
  if (!*text || text[strlen(text) - 1] != '\n') rp_buf_puts(&d->md, "\n");
  for (int i = 0; i < fence; i++)
    rp_buf_puts(&d->md, "`");
  rp_buf_puts(&d->md, "\n\n");
  rp_buf_puts(&d->html, "<pre>");
  html_text(&d->html, text);
  rp_buf_puts(&d->html, "</pre>\n");
}

void rp_table_begin(rp_doc *d, int n_cols, const char *const *headers) {
  d->n_cols = n_cols;
  d->col = 0;
  d->header = 1;
  rp_buf_puts(&d->html, "<table>\n<thead><tr>");
  for (int i = 0; i < n_cols; i++) {
    rp_buf_puts(&d->md, "| ");
    md_text(&d->md, headers[i], 1);
    rp_buf_puts(&d->md, " ");
    rp_buf_puts(&d->html, "<th>");
    html_text(&d->html, headers[i]);
    rp_buf_puts(&d->html, "</th>");
  }
  rp_buf_puts(&d->md, "|\n");
  for (int i = 0; i < n_cols; i++)
    rp_buf_puts(&d->md, "|---");
  rp_buf_puts(&d->md, "|\n");
  rp_buf_puts(&d->html, "</tr></thead>\n<tbody>\n");
}

void rp_cell_class(rp_doc *d, const char *text, const char *cls) {
  if (d->col == 0) rp_buf_puts(&d->html, "<tr>");
  rp_buf_puts(&d->md, "| ");
  md_text(&d->md, text, 1);
  rp_buf_puts(&d->md, " ");
  if (cls) {
    rp_buf_puts(&d->html, "<td class=\"");
    html_text(&d->html, cls);
    rp_buf_puts(&d->html, "\">");
  } else {
    rp_buf_puts(&d->html, "<td>");
  }
  html_text(&d->html, text);
  rp_buf_puts(&d->html, "</td>");
  if (++d->col == d->n_cols) {
    rp_buf_puts(&d->md, "|\n");
    rp_buf_puts(&d->html, "</tr>\n");
    d->col = 0;
  }
}

void rp_cell(rp_doc *d, const char *text) { rp_cell_class(d, text, NULL); }

void rp_table_end(rp_doc *d) {
  while (d->col != 0)
    rp_cell(d, "");
  rp_buf_puts(&d->md, "\n");
  rp_buf_puts(&d->html, "</tbody>\n</table>\n");
  d->n_cols = 0;
}

void rp_list_begin(rp_doc *d) { rp_buf_puts(&d->html, "<ul>\n"); }

void rp_list_item(rp_doc *d, const char *fmt, ...) {
  rp_buf text = {0};
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(&text, fmt, ap);
  va_end(ap);
  if (text.oom) d->md.oom = 1;
  rp_buf_puts(&d->md, "- ");
  md_text(&d->md, text.s ? text.s : "", 1);
  rp_buf_puts(&d->md, "\n");
  rp_buf_puts(&d->html, "<li>");
  html_text(&d->html, text.s ? text.s : "");
  rp_buf_puts(&d->html, "</li>\n");
  rp_buf_free(&text);
}

void rp_list_end(rp_doc *d) {
  rp_buf_puts(&d->md, "\n");
  rp_buf_puts(&d->html, "</ul>\n");
}

void rp_figure(rp_doc *d, const char *src, const char *caption, const char *svg_src) {
  rp_buf_puts(&d->md, "![");
  md_text(&d->md, caption, 1);
  rp_buf_puts(&d->md, "](");
  url_path(&d->md, src);
  rp_buf_puts(&d->md, ")\n\n*");
  md_text(&d->md, caption, 1);
  rp_buf_puts(&d->md, "*");
  rp_buf_puts(&d->html, "<figure><img src=\"");
  url_path(&d->html, src);
  rp_buf_puts(&d->html, "\" alt=\"");
  html_text(&d->html, caption);
  rp_buf_puts(&d->html, "\"><figcaption>");
  html_text(&d->html, caption);
  if (svg_src) {
    rp_buf_puts(&d->md, " ([SVG](");
    url_path(&d->md, svg_src);
    rp_buf_puts(&d->md, "))");
    rp_buf_puts(&d->html, " (<a href=\"");
    url_path(&d->html, svg_src);
    rp_buf_puts(&d->html, "\">SVG</a>)");
  }
  rp_buf_puts(&d->md, "\n\n");
  rp_buf_puts(&d->html, "</figcaption></figure>\n");
  d->n_images++;
}

void rp_doc_free(rp_doc *d) {
  rp_buf_free(&d->md);
  rp_buf_free(&d->html);
}
