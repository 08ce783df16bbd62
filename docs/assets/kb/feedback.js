// "这篇有帮助吗？" under each FAQ answer, posted to /api/feedback. Hidden on the static site.

import { apiAvailable, sendFeedback, siteUrl } from "./api.js";

const CONTACT = { text: "怎样联系客服？", path: "/contact/#contact-service" };

/** Given a sentence, return a paragraph that ends with the link to the customer-service section. */
function contactLine(sentence) {
  const p = document.createElement("p");
  p.className = "kb-feedback__contact";
  const link = Object.assign(document.createElement("a"), { href: siteUrl(CONTACT.path), textContent: CONTACT.text });
  p.append(sentence, link);
  return p;
}

export const REASONS = ["信息不全", "看不懂", "和我的情况不符", "其他"];

/** Given an FAQ heading, return the elements of its answer (up to the next h2). */
function answerEnd(heading) {
  let node = heading;
  const stop = (el) => !el || el.tagName === "H2" || el.matches(".kb-contact, .kb-updated, .kb-feedback-enabled");
  while (!stop(node.nextElementSibling)) node = node.nextElementSibling;
  return node;
}

/** Given an FAQ heading, return its question as a reader hears it (without the ¶ permalink). */
function questionText(heading) {
  const copy = heading.cloneNode(true);
  copy.querySelectorAll(".headerlink").forEach((a) => a.remove());
  return copy.textContent.trim();
}

/** Given an FAQ heading, return the feedback widget element for its answer. */
function widget(heading) {
  const id = heading.id;
  const box = document.createElement("form");
  box.className = "kb-feedback";
  box.dataset.id = id;
  // Each widget is a form landmark: its name says which answer it is about, so no two are alike.
  box.setAttribute("aria-label", `“${questionText(heading)}”这篇有帮助吗？`);
  box.innerHTML = `
    <span class="kb-feedback__question">这篇有帮助吗？</span>
    <button type="button" class="md-button kb-feedback__yes">有帮助</button>
    <button type="button" class="md-button kb-feedback__no">没帮助</button>
    <fieldset class="kb-feedback__reasons" hidden>
      <legend>哪里没帮到你？（可选）</legend>
      ${REASONS.map((r) => `<label><input type="radio" name="reason" value="${r}"> ${r}</label>`).join("")}
      <button type="submit" class="md-button md-button--primary">提交</button>
    </fieldset>
    <p class="kb-feedback__status" role="status" aria-live="polite"></p>`;
  const status = box.querySelector(".kb-feedback__status");
  const reasons = box.querySelector(".kb-feedback__reasons");

  const submit = async (helpful) => {
    const payload = { id, helpful };
    if (!helpful) {
      const reason = box.querySelector("input[name=reason]:checked")?.value;
      if (reason) payload.reason = reason;
    }
    const error = await sendFeedback(payload);
    if (error) {
      status.textContent = error;
      return;
    }
    const thanks = Object.assign(document.createElement("p"), {
      className: "kb-feedback__status",
      textContent: helpful ? "谢谢！很高兴帮到你。" : "谢谢反馈，我们会改进这篇答案。",
      tabIndex: -1,
    });
    thanks.setAttribute("role", "status");
    box.replaceChildren(thanks);
    if (!helpful) box.append(contactLine("问题还没解决，可以联系客服，见"));
    thanks.focus(); // the button pressed is gone: keep the keyboard here, not back at the page top
  };

  box.querySelector(".kb-feedback__yes").addEventListener("click", () => submit(true));
  reasons.append(contactLine("急着解决？见"));
  box.querySelector(".kb-feedback__no").addEventListener("click", () => {
    reasons.hidden = false;
    reasons.querySelector("input")?.focus();
  });
  box.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(false);
  });
  return box;
}

/** Add a feedback widget under every FAQ answer of the current page; return how many were added. */
export async function mountFeedback(article = document.querySelector(".md-content article")) {
  if (!article || !(await apiAvailable())) return 0;
  const headings = [...article.querySelectorAll("h2[id]")].filter((h) => !h.closest(".kb-agent"));
  // The widgets go in after the browser scrolled to a deep link (#id): keep that heading where it
  // was on screen, or it lands one widget per answer above it too low (and the TOC marks the wrong entry).
  const target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  const before = target?.getBoundingClientRect().top;
  for (const heading of headings) {
    if (article.querySelector(`.kb-feedback[data-id="${CSS.escape(heading.id)}"]`)) continue;
    const end = answerEnd(heading);
    // The page keeps a slot of the widget's size after each answer: filling it moves nothing.
    if (end.matches(".kb-feedback-slot")) end.replaceChildren(widget(heading));
    else end.after(widget(heading));
  }
  if (target) window.scrollBy(0, target.getBoundingClientRect().top - before);
  return headings.length;
}
