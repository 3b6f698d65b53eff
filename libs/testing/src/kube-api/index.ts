// The fake Kubernetes API server (HTTPS list/watch with injectable faults).
export {};
