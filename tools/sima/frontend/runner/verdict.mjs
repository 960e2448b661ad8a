// What a block's status line says: set by the worker client's progress, and after a
// run, the verdict in one sentence (what the lab observed against what the claim says).

/** Put `text` in the block's status line (announced: the output region is a live log). */
export function setStatus(block, text) {
  const status = block.querySelector(".sima-run__status");
  if (status) status.textContent = text;
}

function named(value, failures) {
  return failures && failures.length ? value + " (" + failures.join(", ") + ")" : value;
}

/** The sentence for a run's result (sima_lab's JSON: status, observed, declared...). */
export function verdictText(result) {
  if (result.status === "error") return "The check could not run: " + result.message;
  const seen = result.observed_failures || [];
  const head = "Verdict: " + named(result.observed, seen) + ". ";
  if (result.status === "pass") {
    return head + "The lab observed what the claim says (" + named(result.declared, result.fails) + ").";
  }
  if (result.observed === "good") {
    return head + "The claim says " + result.declared + ", but this code passes the check: your change fixed the pattern.";
  }
  if (result.declared === "bad") {
    return (
      head +
      "The claim says it goes wrong with " +
      (result.fails || []).join(", ") +
      ", but this code goes wrong in another way: " +
      result.message
    );
  }
  return head + "The claim says " + result.declared + ", but this code fails the check: " + result.message;
}
