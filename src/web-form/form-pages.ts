/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** The page a person sees after sending a form, when FORM_REDIRECT_URL is not set. */
export function thankYouPage(backUrl: string | undefined): string {
  return page(
    "Thank you",
    "<p>Your message has been sent. We will get back to you soon.</p>",
    backUrl === undefined ? "" : `<p><a href="${escapeHtml(backUrl)}">Back to the website</a></p>`,
  );
}

/**
 * A refusal a person can act on: what was wrong in plain words, the fields
 * it concerns, and a way back to the form (their browser keeps what they typed).
 */
export function problemPage(
  { title, explanation, problems = [] }: { title: string; explanation: string; problems?: readonly string[] },
  backUrl: string | undefined,
): string {
  const list = problems.length > 0 ? `<ul>${problems.map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>` : "";
  const back =
    backUrl === undefined
      ? `<p><a href="javascript:history.back()">Go back to the form</a></p>`
      : // Back in history when it can, so the browser still holds what the person typed.
        `<p><a href="${escapeHtml(backUrl)}" onclick="history.back(); return false;">Go back to the form</a></p>`;
  return page(title, `<p>${escapeHtml(explanation)}</p>${list}`, back);
}

function page(title: string, body: string, footer: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
body{font:17px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;background:#fafafa;margin:0}
main{max-width:34rem;margin:12vh auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.5rem;margin-top:0}a{color:#0b57d0}
</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
${footer}
</main>
</body>
</html>
`;
}
