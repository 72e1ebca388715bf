// The Python that runs in the conversation's interpreter before the model's turn: it reads each new
// dataset with pandas and reports its shape, columns and first rows, removes files it cannot read,
// lists data/ and snapshots out/. Everything it defines is local to one function, deleted afterwards.

export const RESULT_MARKER = '@@sandgate-analysis@@';

/** Reads new datasets and reports previews, the contents of data/ and a snapshot of out/. */
export const PREPARE_PY = String.raw`
def __sandgate_prepare(params):
    import csv, json, os

    os.chdir(params["workdir"])
    for folder in (params["data_dir"], params["out_dir"]):
        os.makedirs(folder, exist_ok=True)

    def frame_info(df, sheet=None):
        columns = []
        nulls = df.isna().sum().tolist()
        for i, (name, dtype) in enumerate(zip(df.columns, df.dtypes)):
            if i >= params["max_columns"]:
                break
            columns.append({"name": str(name), "dtype": str(dtype), "nulls": int(nulls[i])})
        head = df.head(5).to_string(max_cols=12, max_colwidth=30)
        if len(head) > 3000:
            head = head[:3000] + "\n…"
        info = {"rows": int(df.shape[0]), "cols": int(df.shape[1]), "columns": columns, "head": head}
        if sheet is not None:
            info["sheet"] = str(sheet)
        return info

    # Each reader returns (frames, how): [(sheet or None, DataFrame)] and the pandas call that reads
    # the file the same way, so the model starts from what the preview saw.
    def read_csv(path, sep, encoding):
        import pandas as pd

        enc = encoding or "utf-8"
        if sep is None:
            with open(path, "rb") as fh:
                sample = fh.read(65536).decode(enc, errors="replace")
            try:
                sep = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
            except csv.Error:
                sep = ","
        # Semicolon-separated files come from spreadsheets in locales that write decimals with a comma.
        decimal = "," if sep == ";" else "."
        try:
            df = pd.read_csv(path, sep=sep, encoding=enc, decimal=decimal)
        except UnicodeDecodeError:
            enc = "latin-1"
            df = pd.read_csv(path, sep=sep, encoding=enc, decimal=decimal)
        args = [repr(path)]
        if sep != ",":
            args.append("sep=%r" % sep)
        if decimal != ".":
            args.append("decimal=%r" % decimal)
        if enc != "utf-8":
            args.append("encoding=%r" % enc)
        return [(None, df)], "pd.read_csv(%s)" % ", ".join(args)

    def read_json(path, encoding):
        import pandas as pd

        enc = encoding or "utf-8-sig"
        with open(path, encoding=enc) as fh:
            try:
                data = json.load(fh)
            except json.JSONDecodeError as exc:
                if not str(exc).startswith("Extra data"):
                    raise
                return read_jsonl(path, enc)
        loaded = "json.load(open(%r, encoding=%r))" % (path, enc)
        if isinstance(data, list):
            if data and all(isinstance(x, dict) for x in data):
                return [(None, pd.json_normalize(data))], "pd.json_normalize(%s)" % loaded
            return [(None, pd.DataFrame(data))], "pd.DataFrame(%s)" % loaded
        if isinstance(data, dict):
            try:
                return [(None, pd.DataFrame(data))], "pd.DataFrame(%s)" % loaded
            except ValueError:
                lists = [k for k, v in data.items() if isinstance(v, list)]
                if len(lists) == 1:
                    how = "pd.json_normalize(%s[%r])" % (loaded, lists[0])
                    return [(None, pd.json_normalize(data[lists[0]]))], how
                return [(None, pd.json_normalize(data))], "pd.json_normalize(%s)" % loaded
        return [(None, pd.DataFrame({"value": [data]}))], "%s (a single value)" % loaded

    def read_jsonl(path, encoding):
        import pandas as pd

        enc = encoding or "utf-8"
        df = pd.read_json(path, lines=True, encoding=enc)
        return [(None, df)], "pd.read_json(%r, lines=True%s)" % (path, "" if enc == "utf-8" else ", encoding=%r" % enc)

    def read_any(item):
        import pandas as pd

        path, fmt, enc = item["path"], item["format"], item.get("encoding")
        if fmt == "csv":
            return read_csv(path, None, enc)
        if fmt == "tsv":
            return read_csv(path, "\t", enc)
        if fmt == "json":
            return read_json(path, enc)
        if fmt == "jsonl":
            return read_jsonl(path, enc)
        if fmt in ("xlsx", "xls"):
            sheets = pd.read_excel(path, sheet_name=None)
            how = "pd.read_excel(%r, sheet_name=None)  # a dict: sheet name -> DataFrame" % path
            return list(sheets.items()), how
        if fmt == "parquet":
            return [(None, pd.read_parquet(path))], "pd.read_parquet(%r)" % path
        raise ValueError("unknown format %s" % fmt)

    def preview(item):
        try:
            import pandas as pd
        except ImportError:
            return {"path": item["path"], "ok": False, "kind": "missing_library", "library": "pandas",
                    "message": "pandas is not installed in the sandbox"}
        try:
            frames, how = read_any(item)
            if not frames or all(df.shape[1] == 0 for _, df in frames):
                raise pd.errors.EmptyDataError("no columns to parse")
            out = {"path": item["path"], "ok": True,
                   "frames": [frame_info(df, sheet) for sheet, df in frames[:5]],
                   "sheets": len(frames), "how": how}
            return out
        except ImportError as exc:
            failure = {"kind": "missing_library", "library": getattr(exc, "name", None) or "", "message": str(exc)}
        except pd.errors.EmptyDataError as exc:
            failure = {"kind": "empty", "message": str(exc)}
        except MemoryError:
            failure = {"kind": "unreadable", "message": "it does not fit in the sandbox's memory"}
        except Exception as exc:  # noqa: BLE001 - every reason a file cannot be read is reported
            failure = {"kind": "unreadable", "message": ("%s: %s" % (type(exc).__name__, exc))[:400]}
        try:
            os.remove(item["path"])
        except OSError:
            pass
        return {"path": item["path"], "ok": False, **failure}

    datasets = [preview(item) for item in params["files"]]
    existing = []
    for entry in sorted(os.scandir(params["data_dir"]), key=lambda e: e.name):
        if entry.is_file():
            existing.append({"path": "%s/%s" % (params["data_dir"], entry.name), "size": entry.stat().st_size})
    result = {"datasets": datasets, "existing": existing, "out": __sandgate_scan_out(params["out_dir"])}
    print(params["marker"] + json.dumps(result, ensure_ascii=True, default=str))

`;

/** Lists out/ as [path, size, mtime_ns] rows, shared by both entry points. */
export const SCAN_OUT_PY = `

def __sandgate_scan_out(out_dir):
    import os

    found = []
    for root, dirs, files in os.walk(out_dir):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            st = os.lstat(path)
            if os.path.isfile(path) and not os.path.islink(path):
                found.append([path, st.st_size, str(st.st_mtime_ns)])
    return found
`;

/** Reports out/ after the model's code ran, for comparing with the snapshot. */
export const COLLECT_PY = `
def __sandgate_collect(params):
    import json, os

    os.chdir(params["workdir"])
    print(params["marker"] + json.dumps({"out": __sandgate_scan_out(params["out_dir"])}, ensure_ascii=True))
`;

/**
 * One cell that defines the helpers, calls `entry` with `params` (passed as base64 JSON, so no quoting
 * can break out of the string) and removes every name it defined, even when the call fails.
 */
export function pythonCall(definitions: string[], entry: string, params: Record<string, unknown>): string {
  const payload = Buffer.from(JSON.stringify(params), 'utf8').toString('base64');
  const names = [...definitions.join('\n').matchAll(/^def (\w+)\(/gm)].map((m) => m[1]);
  return [
    ...definitions,
    'try:',
    `    ${entry}(__import__("json").loads(__import__("base64").b64decode("${payload}").decode("utf-8")))`,
    'finally:',
    `    del ${names.join(', ')}`,
    '',
  ].join('\n');
}
