// Side effects only: registers tfjs-core's gradients (see scripts/vendorGradients.ts).
export {};
