// The key made from the title as the proposer types it, until they type a key of their own.
// Same rule as experiments/keys.py key_from_title (Django's slugify, cut at a word boundary);
// tests/browser/test_proposal_form.py holds the two equal.
(function () {
  const form = document.getElementById("experiment-form");
  const title = document.getElementById("id_title");
  const key = document.getElementById("id_key");
  if (!form || !title || !key || form.dataset.keyFree !== "true" || key.disabled) return;
  const length = Number(key.dataset.deriveLength) || 40;

  function slugify(text) {
    return text.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").toLowerCase()
      .replace(/[^\w\s-]/g, "").replace(/[-\s]+/g, "-").replace(/^[-_]+|[-_]+$/g, "");
  }

  function keyFromTitle(text) {
    const slug = slugify(text);
    let result = "";
    for (const word of slug.split("-")) {
      const candidate = result ? `${result}-${word}` : word;
      if (candidate.length > length) break;
      result = candidate;
    }
    return result || slug.slice(0, length).replace(/-+$/, "");
  }

  // A key already typed (or saved) that the title would not give is the proposer's own: keep it.
  let derived = key.value === "" || key.value === keyFromTitle(title.value);
  title.addEventListener("input", () => {
    if (derived) key.value = keyFromTitle(title.value);
  });
  key.addEventListener("input", () => {
    derived = key.value === "";
  });
  if (derived && title.value) key.value = keyFromTitle(title.value);
})();
