// The helpers of DESIGN §9.3 as they exist inside the interpreter: thin wrappers over the driver's
// host_call, so every model call, sub-agent and FINAL is served (and counted) by the gateway, which
// keeps the key. edit_file runs in the sandbox itself. Run once per agent before its first block.

/** Host-call methods the helpers use; the gateway's handler answers exactly these. */
export const HOST_METHODS = {
  llm: 'rlm.llm_query',
  rlm: 'rlm.rlm_query',
  final: 'rlm.final',
} as const;

const PRELUDE = String.raw`
import json as _sg_json

def _sg_text(value):
    return value if isinstance(value, str) else str(value)

def llm_query(prompt):
    """Ask a sub-LLM one prompt; returns its answer (a string; "Error: ..." when refused)."""
    return host_call("${HOST_METHODS.llm}", {"prompts": [_sg_text(prompt)]})[0]

def llm_query_batched(prompts):
    """Ask a sub-LLM several prompts concurrently; returns the answers in order."""
    prompts = [_sg_text(p) for p in prompts]
    return list(host_call("${HOST_METHODS.llm}", {"prompts": prompts})) if prompts else []

def rlm_query(task):
    """Run a sub-agent (own sandbox, a copy of this workspace) on a self-contained task; returns its answer."""
    return host_call("${HOST_METHODS.rlm}", {"tasks": [_sg_text(task)]})[0]

def rlm_query_batched(tasks):
    """Run several sub-agents in parallel; returns their answers in order."""
    tasks = [_sg_text(t) for t in tasks]
    return list(host_call("${HOST_METHODS.rlm}", {"tasks": tasks})) if tasks else []

def FINAL(answer):
    """End this agent with answer (the code after it still runs)."""
    host_call("${HOST_METHODS.final}", {"answer": _sg_text(answer), "via": "FINAL"})

def FINAL_VAR(name):
    """End this agent with the value of the variable called name."""
    if not isinstance(name, str):
        raise TypeError("FINAL_VAR takes a variable's name as a string, e.g. FINAL_VAR('result')")
    if name not in globals():
        raise NameError("FINAL_VAR: there is no variable named %r" % name)
    host_call("${HOST_METHODS.final}", {"answer": _sg_text(globals()[name]), "via": "FINAL_VAR"})

def SUBMIT(*args, **outputs):
    """DSPy's name for FINAL: SUBMIT(value) or SUBMIT(name=value, ...)."""
    if args and outputs or len(args) > 1:
        raise TypeError("SUBMIT takes one value or keyword outputs, not both")
    if args:
        answer = _sg_text(args[0])
    elif len(outputs) == 1:
        answer = _sg_text(next(iter(outputs.values())))
    elif outputs:
        answer = "\n".join("%s: %s" % (k, _sg_text(v)) for k, v in outputs.items())
    else:
        raise TypeError("SUBMIT needs a value")
    host_call("${HOST_METHODS.final}", {"answer": answer, "via": "SUBMIT"})

def edit_file(path, old, new, replace_all=False):
    """Replace old with new in a file; old must occur once unless replace_all. Returns what happened."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return "Error: %s does not exist" % path
    except (OSError, UnicodeDecodeError) as e:
        return "Error: cannot read %s: %s" % (path, e)
    if not old:
        return "Error: old is empty; give the exact text to replace"
    count = text.count(old)
    if count == 0:
        return "Error: old text not found in %s (it must match exactly, whitespace included)" % path
    if count > 1 and not replace_all:
        return "Error: old text occurs %d times in %s; add surrounding lines to make it unique, or pass replace_all=True" % (count, path)
    updated = text.replace(old, new) if replace_all else text.replace(old, new, 1)
    if path.endswith(".py"):
        try:
            compile(updated, path, "exec")
        except SyntaxError as e:
            return "Error: the edit would make %s fail to compile (line %s: %s); the file is unchanged" % (path, e.lineno, e.msg)
    with open(path, "w", encoding="utf-8") as f:
        f.write(updated)
    n = count if replace_all else 1
    return "Edited %s: %d replacement%s" % (path, n, "" if n == 1 else "s")
`;

/** The cell that defines the helpers and binds `task` (JSON-quoted, so any text is safe). */
export function preludeCell(task: string): string {
  return `${PRELUDE}\ntask = _sg_json.loads(${JSON.stringify(JSON.stringify(task))})\nNone\n`;
}
