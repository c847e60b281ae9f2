"""nbconvert's ExecutePreprocessor, waiting a moment after a cell's `status: idle` for late outputs.

Deno's Jupyter kernel (2.9) sometimes publishes `status: idle` before the cell's `execute_result`
(seen in about 1 of 40 executions, more under load). nbclient stops collecting a cell's outputs at
idle, so the result, often the chart, goes missing. This preprocessor keeps reading the cell's IOPub
messages for DRAIN_SECONDS after idle. It overrides nbclient's `_async_poll_output_msg` (0.7.x, as in
Debian bookworm); `scripts/testNotebooks.ts` still reruns a notebook whose chart is missing.

Used by `pnpm test:notebooks` as
  jupyter nbconvert --to notebook --Exporter.preprocessors='["draining_execute.DrainingExecutePreprocessor"]'
with this folder on PYTHONPATH.
"""
from queue import Empty

from nbclient.exceptions import CellExecutionComplete
from nbclient.util import ensure_async
from nbconvert.preprocessors import ExecutePreprocessor

DRAIN_SECONDS = 0.3


class DrainingExecutePreprocessor(ExecutePreprocessor):
    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        assert self.kc is not None
        idle = False
        while True:
            try:
                msg = await ensure_async(
                    self.kc.iopub_channel.get_msg(timeout=DRAIN_SECONDS if idle else None)
                )
            except Empty:
                return
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    idle = True
