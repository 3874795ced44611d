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

// The visitor's saved language and theme, else what the browser prefers.
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

export function savePreferences(chinese, dark) {
    try {
        localStorage.setItem(preferencesKey, JSON.stringify({ chinese, dark }));
    } catch {
        // Private mode or full storage: the choice lasts for this page only.
    }
}
