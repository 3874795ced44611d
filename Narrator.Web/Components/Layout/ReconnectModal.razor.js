// Blazor's reconnection events drive a non-modal notice (show(), not showModal(): nothing is covered or blocked).
const notice = document.getElementById("components-reconnect-modal");
notice.addEventListener("components-reconnect-state-changed", handleReconnectStateChanged);
document.getElementById("components-reconnect-button").addEventListener("click", retry);
document.getElementById("components-resume-button").addEventListener("click", resume);

// After Blazor's own attempts are used up (a server restart can take longer), keep trying at this pace.
const retryEveryMilliseconds = 5000;
let retryTimer = null;

function handleReconnectStateChanged(event) {
    const state = event.detail.state;
    if (state === "show" || state === "retrying" || state === "paused" || state === "resume-failed") {
        if (!notice.open) {
            notice.show();
        }
    } else if (state === "hide") {
        stopRetrying();
        notice.close();
    } else if (state === "failed") {
        if (!notice.open) {
            notice.show();
        }
        startRetrying();
    } else if (state === "rejected") {
        // The server is back but no longer knows this page (it restarted): a reload restores the visitor's workspace.
        location.reload();
    }
}

function startRetrying() {
    if (retryTimer === null) {
        retryTimer = setInterval(retry, retryEveryMilliseconds);
    }
}

function stopRetrying() {
    if (retryTimer !== null) {
        clearInterval(retryTimer);
        retryTimer = null;
    }
}

async function retry() {
    try {
        // true: reconnected; false: the server answered but no longer has this circuit (it restarted).
        const successful = await Blazor.reconnect();
        if (!successful) {
            const resumed = await Blazor.resumeCircuit();
            if (!resumed) {
                location.reload();
            } else {
                stopRetrying();
                notice.close();
            }
        } else {
            stopRetrying();
        }
    } catch {
        // The server is still unreachable: the timer tries again.
        startRetrying();
    }
}

async function resume() {
    try {
        const successful = await Blazor.resumeCircuit();
        if (!successful) {
            location.reload();
        }
    } catch {
        notice.classList.replace("components-reconnect-paused", "components-reconnect-resume-failed");
    }
}
