/** Which replica produced a reply; every service reply carries it so pages can show it. */
export interface ServedBy {
  service: string;
  pod: string;
  node: string;
}

export interface Served {
  servedBy: ServedBy;
}
