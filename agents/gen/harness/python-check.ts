// The Python side of a /gen check, run INSIDE the sandbox: executes the program (function, then
// tests) as __main__ in a fresh interpreter and counts the assertions the tests execute — `assert`
// statements from the first test line on (rewritten in the AST, so a failure caught by the tests'
// own try/except is still seen) and unittest.TestCase assert*/fail calls. The tally goes to the file
// named by SANDGATE_GEN_REPORT; a program that ends without it written (os._exit, a crash of the
// interpreter) is a failed check. It guards against mistakes, not against code that attacks it.

export const PYTHON_CHECK = String.raw`
import ast, json, os, sys, traceback, types, unittest

CHECK = "__sandgate_check__"


def main():
    program, first_test_line = sys.argv[1], int(sys.argv[2])
    report = os.environ.pop("SANDGATE_GEN_REPORT", "")
    sys.argv[:] = [program]
    tally = {"ran": 0, "failed": 0}

    def ran():
        tally["ran"] += 1

    def failed():
        tally["failed"] += 1

    def call(name):
        return ast.Expr(ast.Call(ast.Attribute(ast.Name(CHECK, ast.Load()), name, ast.Load()), [], []))

    class CountAsserts(ast.NodeTransformer):
        def visit_Assert(self, node):
            if node.lineno < first_test_line:
                return node
            guarded = ast.Try(
                body=[node],
                handlers=[ast.ExceptHandler(ast.Name("AssertionError", ast.Load()), None, [call("failed"), ast.Raise()])],
                orelse=[],
                finalbody=[],
            )
            out = [call("ran"), guarded]
            for n in out:
                ast.copy_location(n, node)
                ast.fix_missing_locations(n)
            return out

    def counted(fn):
        def wrapper(*args, **kwargs):
            ran()
            try:
                return fn(*args, **kwargs)
            except BaseException:
                failed()
                raise

        wrapper.__name__ = getattr(fn, "__name__", "assert")
        wrapper.__wrapped__ = fn
        return wrapper

    for name in dir(unittest.TestCase):
        if name.startswith("assert") or name == "fail":
            setattr(unittest.TestCase, name, counted(getattr(unittest.TestCase, name)))

    status = 0
    try:
        with open(program, encoding="utf-8") as f:
            source = f.read()
        tree = CountAsserts().visit(ast.parse(source, program))
        code = compile(tree, program, "exec")
        module = types.ModuleType("__main__")
        module.__file__ = program
        setattr(module, CHECK, types.SimpleNamespace(ran=ran, failed=failed))
        sys.modules["__main__"] = module
        exec(code, module.__dict__)
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            status = e.code or 0
        else:
            print(e.code, file=sys.stderr)
            status = 1
    except SyntaxError as e:
        sys.stderr.write("".join(traceback.format_exception_only(type(e), e)))
        status = 1
    except BaseException as e:
        tb = e.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next
        traceback.print_exception(type(e), e, tb)
        status = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    if report:
        with open(report, "w", encoding="utf-8") as f:
            json.dump({"ran": tally["ran"], "failed": tally["failed"], "status": status}, f)
    sys.exit(status)


main()
`;
