/** The allocator models `--allocator` names: one map, in core, shared with the HTML report's page. */
export { ALLOCATOR_MODELS as ALLOCATORS, type AllocatorFlags } from "@hbmscope/core";
