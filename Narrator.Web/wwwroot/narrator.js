// Small browser-only helpers the Blazor components call through JS interop.

export async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        return;
    }
    // Plain-http hosts have no async clipboard: fall back to a hidden textarea.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    document.body.removeChild(area);
}

export function downloadText(fileName, mimeType, text) {
    const blob = new Blob([text], { type: mimeType + ";charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function seekMedia(element, seconds) {
    if (element && typeof element.currentTime === "number") {
        element.currentTime = seconds;
    }
}

export function setDocumentLanguage(tag) {
    document.documentElement.lang = tag;
}

const preferencesKey = "narrator.preferences";
const preferencesCookie = "narrator-ui";

// On a first visit (no preference cookie): a choice an older version kept in local storage, else what the browser prefers.
export function loadPreferences() {
    try {
        const saved = JSON.parse(localStorage.getItem(preferencesKey) ?? "null");
        if (saved && typeof saved.chinese === "boolean" && typeof saved.dark === "boolean") {
            return saved;
        }
    } catch {
        // Unreadable storage: fall through to the browser's preferences.
    }
    const chinese = (navigator.languages ?? [navigator.language]).some(l => (l ?? "").toLowerCase().startsWith("zh"));
    const dark = window.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
    return { chinese, dark };
}

// A cookie, not local storage: the server reads it when it prerenders, so the next page load starts in this language and theme.
export function savePreferences(chinese, dark) {
    const value = (chinese ? "zh" : "en") + (dark ? "-dark" : "-light");
    const secure = location.protocol === "https:" ? "; secure" : "";
    document.cookie = `${preferencesCookie}=${value}; path=/; max-age=${400 * 24 * 3600}; samesite=lax${secure}`;
}

// The output box follows the text as it grows, until the reader scrolls up; scrolling back to the end follows again.
const followed = new WeakMap();
export function followOutput(element) {
    if (!element || followed.has(element)) {
        return;
    }
    const state = { atEnd: true };
    const nearEnd = () => element.scrollHeight - element.scrollTop - element.clientHeight < 24;
    element.addEventListener("scroll", () => { state.atEnd = nearEnd(); }, { passive: true });
    const observer = new MutationObserver(() => {
        if (state.atEnd) {
            element.scrollTop = element.scrollHeight;
        }
    });
    observer.observe(element, { childList: true, subtree: true, characterData: true });
    followed.set(element, { state, observer });
}

// Brings an element into view; "nearest" leaves it where it is when it is already visible.
export function bringIntoView(element, block) {
    element?.scrollIntoView({ behavior: "instant", block: block ?? "nearest", inline: "nearest" });
}

// Brings a segment's text into view inside its scrolling box (and the box into the window) without moving the player out.
export function showSegment(player, selector) {
    const item = document.querySelector(selector);
    if (item) {
        const box = item.closest(".narrator-output-scroll");
        if (box) {
            // The reader chose a place: stop following the end (a render landing before the scroll event would snap back).
            const follow = followed.get(box);
            if (follow) {
                follow.state.atEnd = false;
            }
            box.scrollTop = item.offsetTop - box.offsetTop - 8;
            box.scrollIntoView({ behavior: "instant", block: "nearest" });
        } else {
            item.scrollIntoView({ behavior: "instant", block: "nearest" });
        }
    }
    player?.scrollIntoView({ behavior: "instant", block: "nearest" });
}

// Esc stops and Ctrl+Enter (Cmd+Enter) describes wherever the focus is; the page decides what applies.
export function registerShortcuts(page) {
    const onKey = event => {
        if (event.defaultPrevented) {
            return;
        }
        if (event.key === "Escape" && !document.querySelector(".mud-overlay, .mud-popover-open")) {
            page.invokeMethodAsync("OnShortcut", "stop");
        } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            page.invokeMethodAsync("OnShortcut", "describe");
        }
    };
    document.addEventListener("keydown", onKey);
    return { dispose: () => document.removeEventListener("keydown", onKey) };
}

// A radio group of cards: arrows move to the next card and choose it, Space and Enter choose the focused one (no page scroll).
export function radioGroupKeys(group) {
    if (!group || group.dataset.keys === "on") {
        return;
    }
    group.dataset.keys = "on";
    group.addEventListener("keydown", event => {
        const radios = [...group.querySelectorAll('[role="radio"]:not([aria-disabled="true"])')];
        const current = radios.indexOf(document.activeElement);
        if (current < 0) {
            return;
        }
        let next = -1;
        if (event.key === "ArrowRight" || event.key === "ArrowDown") {
            next = (current + 1) % radios.length;
        } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
            next = (current - 1 + radios.length) % radios.length;
        } else if (event.key === "Home") {
            next = 0;
        } else if (event.key === "End") {
            next = radios.length - 1;
        } else if (event.key === " " || event.key === "Enter") {
            event.preventDefault();
            radios[current].click();
            return;
        }
        if (next >= 0) {
            event.preventDefault();
            radios[next].focus();
            radios[next].click();
        }
    });
}
