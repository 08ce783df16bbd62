// "这篇有帮助吗？" under each FAQ answer, posted to /api/feedback. Hidden on the static site.

import { apiAvailable, sendFeedback } from "./api.js";

export const REASONS = ["信息不全", "看不懂", "和我的情况不符", "其他"];

/** Given an FAQ heading, return the elements of its answer (up to the next h2). */
function answerEnd(heading) {
  let node = heading;
  const stop = (el) => !el || el.tagName === "H2" || el.matches(".kb-updated, .kb-feedback-enabled");
  while (!stop(node.nextElementSibling)) node = node.nextElementSibling;
  return node;
}

/** Given an FAQ id, return the feedback widget element for it. */
function widget(id) {
  const box = document.createElement("form");
  box.className = "kb-feedback";
  box.dataset.id = id;
  box.setAttribute("aria-label", "这篇有帮助吗？");
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
    box.replaceChildren(Object.assign(document.createElement("p"), {
      className: "kb-feedback__status",
      textContent: helpful ? "谢谢！很高兴帮到你。" : "谢谢反馈，我们会改进这篇答案。",
    }));
    box.firstChild.setAttribute("role", "status");
  };

  box.querySelector(".kb-feedback__yes").addEventListener("click", () => submit(true));
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
  for (const heading of headings) {
    if (article.querySelector(`.kb-feedback[data-id="${CSS.escape(heading.id)}"]`)) continue;
    answerEnd(heading).after(widget(heading.id));
  }
  return headings.length;
}
