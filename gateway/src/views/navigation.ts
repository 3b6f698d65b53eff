/**
 * The navigation, in display order. Each page's controller passes its `id` as `active`. A page
 * whose slice is not built yet is served by ComingSoonPageController and says so honestly.
 */
export interface NavItem {
  id: string;
  label: string;
  href: string;
  group?: string;
}

export const NAVIGATION: NavItem[] = [
  { id: 'home', label: 'Environment', href: '/' },
  { id: 'resources', label: 'Resources', href: '/resources' },
  { id: 'network', label: 'Network', href: '/network' },
  { id: 'storage', label: 'Overview', href: '/storage', group: 'Storage' },
  { id: 'ebs', label: 'EBS', href: '/ebs', group: 'Storage' },
  { id: 'efs', label: 'EFS', href: '/efs', group: 'Storage' },
  { id: 's3', label: 'S3', href: '/s3', group: 'Storage' },
  { id: 'stress', label: 'Stress', href: '/stress' },
  { id: 'scaling', label: 'Scaling', href: '/scaling' },
  { id: 'history', label: 'History', href: '/scaling/history' },
];

/** Navigation grouped for the template: plain items and dropdown groups, in order. */
export function navigationFor(active: string): Array<{ label: string; href?: string; active: boolean; items?: Array<NavItem & { active: boolean }> }> {
  const out: Array<{ label: string; href?: string; active: boolean; items?: Array<NavItem & { active: boolean }> }> = [];
  for (const item of NAVIGATION) {
    if (!item.group) {
      out.push({ label: item.label, href: item.href, active: item.id === active });
      continue;
    }
    let group = out.find((g) => g.label === item.group && g.items);
    if (!group) {
      group = { label: item.group, active: false, items: [] };
      out.push(group);
    }
    group.items!.push({ ...item, active: item.id === active });
    group.active ||= item.id === active;
  }
  return out;
}
