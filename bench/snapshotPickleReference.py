"""Reference for bench/snapshotPickleFile.ts, style "python": reads a synthetic snapshot as JSON on
stdin, rebuilds it with the object sharing of torch.cuda.memory._snapshot() (one str object per
key, action and state; one dict per distinct frame; a list of its own per trace entry's frames;
one shared empty list for blocks without context) and writes CPython's pickle.dumps(protocol=4)."""
import json
import pickle
import sys

snap = json.load(sys.stdin)
shared = {}


def fresh(s):
    return (s + ".")[:-1]  # a new str object (CPython still shares "" and 1-char Latin-1 strings)


def sh(s):
    if s not in shared:
        shared[s] = fresh(s)
    return shared[s]


frame_dicts = {}


def frame(f):
    key = (f["filename"], f["line"], f["name"])
    if key not in frame_dicts:
        d = {}
        d[sh("name")] = fresh(f["name"])
        d[sh("filename")] = fresh(f["filename"])
        d[sh("line")] = f["line"]
        frame_dicts[key] = d
    return frame_dicts[key]


empty_frames = []
segments = []
for s in snap["segments"]:
    d = {}
    for k in ("device", "address", "total_size", "stream"):
        d[sh(k)] = s[k]
    d[sh("segment_type")] = sh(s["segment_type"])
    blocks = []
    for b in s["blocks"]:
        bd = {}
        for k in ("address", "size", "requested_size"):
            bd[sh(k)] = b[k]
        bd[sh("state")] = sh(b["state"])
        bd[sh("frames")] = empty_frames
        blocks.append(bd)
    d[sh("blocks")] = blocks
    segments.append(d)

traces = []
for e in snap["device_traces"][0]:
    d = {}
    for k, v in e.items():
        if k == "action":
            d[sh(k)] = sh(v)
        elif k == "frames":
            d[sh(k)] = [frame(f) for f in v]
        else:
            d[sh(k)] = v
    traces.append(d)

settings = {}
for k, v in snap["allocator_settings"].items():
    settings[fresh(k)] = v
result = {fresh("segments"): segments, fresh("device_traces"): [traces], fresh("allocator_settings"): settings}
sys.stdout.buffer.write(pickle.dumps(result, protocol=4))
