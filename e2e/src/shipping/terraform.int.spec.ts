// terraform/: `terraform fmt -check` with the real binary, and the module's conventions and
// security properties read from its source. `terraform validate` needs the providers, which
// cannot be downloaded here (their registry is not reachable), so it is not run.
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { INSTALL_TIMEOUT_MS, ROOT, ensureTools, run, tempDir, tool } from './support';

const TF = path.join(ROOT, 'terraform');
const read = (f: string) => readFileSync(path.join(TF, f), 'utf8');
const tfFiles = readdirSync(TF).filter((f) => f.endsWith('.tf'));
const source = tfFiles.map(read).join('\n');

beforeAll(() => ensureTools('terraform'), INSTALL_TIMEOUT_MS);

/** Top-level blocks of one kind: name → body (brace-matched). */
function blocks(text: string, kind: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = new RegExp(`^${kind} "([^"]+)"(?: "([^"]+)")? \\{`, 'gm');
  for (const m of text.matchAll(re)) {
    let depth = 0;
    let i = m.index! + m[0].length - 1;
    const start = i;
    for (; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) break;
    }
    out.set(m[2] ? `${m[1]}.${m[2]}` : m[1], text.slice(start + 1, i));
  }
  return out;
}

describe('terraform fmt', () => {
  // The machine's terraform, or OpenTofu built by scripts/tools/install.sh: same fmt rules.
  const fmt = (dir: string) =>
    run(tool('terraform'), ['fmt', '-check', '-recursive', '-list=true', dir], { env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' } });

  it('-check passes on terraform/', () => {
    const r = fmt(TF);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });

  it('-check fails on a misformatted copy (the check is live)', () => {
    const { dir, cleanup } = tempDir('tf');
    try {
      cpSync(TF, dir, { recursive: true });
      writeFileSync(path.join(dir, 'outputs.tf'), read('outputs.tf').replace('  value       = var.region', '  value = var.region'));
      const r = fmt(dir);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toContain('outputs.tf');
    } finally {
      cleanup();
    }
  });
});

describe('conventions (SPEC §5)', () => {
  it('pins Terraform and the providers in versions.tf', () => {
    const v = read('versions.tf');
    expect(v).toMatch(/required_version = ">= 1\.5\.0"/);
    expect(v).toMatch(/source {2}= "hashicorp\/aws"\s+version = ">= 6\.0, < 7\.0"/);
    expect(v).toMatch(/source {2}= "hashicorp\/helm"\s+version = ">= 3\.0, < 4\.0"/);
  });

  it('declares every variable as description → type → default, and validates the ones AWS would reject late', () => {
    const vars = blocks(read('variables.tf'), 'variable');
    expect(vars.size).toBeGreaterThan(20);
    for (const [name, body] of vars) {
      const order = ['description', 'type', 'default'].map((k) => body.search(new RegExp(`^\\s+${k}\\s+=`, 'm')));
      expect({ name, hasDescription: order[0] >= 0, hasType: order[1] >= 0 }).toEqual({ name, hasDescription: true, hasType: true });
      expect({ name, ordered: order[0] < order[1] && (order[2] < 0 || order[1] < order[2]) }).toEqual({ name, ordered: true });
    }
    for (const name of ['cluster_name', 'region', 'vpc_id', 'private_subnet_ids', 'identity_mode', 's3_prefix', 'architecture'])
      expect({ name, validated: /validation \{/.test(vars.get(name)!) }).toEqual({ name, validated: true });
  });

  it('describes every output for its consumer', () => {
    const outputs = blocks(read('outputs.tf'), 'output');
    for (const name of ['chart_values_yaml', 'ecr_repository_url', 's3_bucket_name', 'efs_file_system_id', 'efs_access_point_id', 'role_arns'])
      expect(outputs.has(name)).toBe(true);
    for (const [name, body] of outputs) expect({ name, description: /description = ".{20,}"/.test(body) }).toEqual({ name, description: true });
  });

  it('lists every input and output in terraform/README.md', () => {
    const readme = read('README.md');
    for (const name of [...blocks(read('variables.tf'), 'variable').keys(), ...blocks(read('outputs.tf'), 'output').keys()])
      expect({ name, listed: readme.includes(`| \`${name}\` |`) }).toEqual({ name, listed: true });
  });

  it('passes the chart the values its templates read', () => {
    const values = readFileSync(path.join(ROOT, 'helm/eks-info/values.yaml'), 'utf8');
    const app = read('app.tf');
    for (const key of [
      'clusterName',
      'architecture',
      'image',
      'repository',
      'roleArn',
      'fileSystemId',
      'accessPointId',
      'bucket',
      'prefix',
      'certificateArn',
      'inboundCidrs',
    ])
      expect({ key, inChart: new RegExp(`\\b${key}:`).test(values), inTerraform: new RegExp(`\\b${key}\\s+=`).test(app) }).toEqual({
        key,
        inChart: true,
        inTerraform: true,
      });
  });
});

describe('AWS resources', () => {
  it('creates an encrypted EFS with a mount target per private subnet, NFS from the nodes only, and an access point for the app user', () => {
    const efs = read('efs.tf');
    expect(blocks(efs, 'resource').get('aws_efs_file_system.this')).toMatch(/encrypted\s+= true/);
    expect(efs).toMatch(/resource "aws_efs_mount_target" "this" \{\s+for_each = toset\(var\.private_subnet_ids\)/);
    expect(efs).toMatch(/referenced_security_group_id = each\.value[\s\S]*from_port\s+= 2049[\s\S]*to_port\s+= 2049/);
    expect(efs).not.toMatch(/cidr_ipv4/);
    expect(efs).toMatch(/posix_user \{\s+uid = var\.app_uid\s+gid = var\.app_uid/);
  });

  it('makes the bucket private, encrypted, versioned, TLS-only, with expiring reports', () => {
    const s3 = read('s3.tf');
    for (const k of ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'])
      expect(s3).toMatch(new RegExp(`${k}\\s+= true`));
    expect(s3).toMatch(/sse_algorithm\s+= var\.kms_key_arn == null \? "AES256" : "aws:kms"/);
    expect(s3).toMatch(/status = "Enabled"/);
    expect(s3).toMatch(/effect\s+= "Deny"[\s\S]*variable = "aws:SecureTransport"\s+values\s+= \["false"\]/);
    expect(s3).toMatch(/prefix = "\$\{var\.s3_prefix\}reports\/"[\s\S]*days = var\.report_retention_days/);
  });

  it('trusts each role only from its own namespace:serviceaccount and the sts audience (IRSA), or the Pod Identity service', () => {
    const iam = read('iam.tf');
    expect(iam).toMatch(
      /variable = "\$\{local\.oidc_issuer\}:sub"\s+values\s+= \[for sa in each\.value\.service_accounts : "system:serviceaccount:\$\{each\.value\.namespace\}:\$\{sa\}"\]/,
    );
    expect(iam).toMatch(/variable = "\$\{local\.oidc_issuer\}:aud"\s+values\s+= \["sts\.amazonaws\.com"\]/);
    expect(iam).toMatch(/identifiers = \["pods\.eks\.amazonaws\.com"\]/);
    expect(iam).not.toMatch(/StringLike"\s+variable = "\$\{local\.oidc_issuer\}:sub"/);
    // One role per AWS-using service (the scaling-monitor's for node prices); none for the gateway or stress.
    for (const role of ['environment', 'storage', 'scaling-monitor']) expect(iam).toMatch(new RegExp(`\\n    ${role} = \\{\\n      enabled\\s+= true`));
    expect(iam).not.toMatch(/\n {4}(gateway|stress) = \{/);
  });

  it('scopes the storage role to the bucket and prefix, with no wildcard action in any grant', () => {
    const iam = read('iam.tf');
    const storage = blocks(iam, 'data').get('aws_iam_policy_document.storage')!;
    expect(storage).toMatch(
      /actions\s+= \["s3:PutObject", "s3:GetObject", "s3:DeleteObject"\]\s+resources = \["\$\{aws_s3_bucket\.this\.arn\}\/\$\{var\.s3_prefix\}\*"\]/,
    );
    expect(storage).toMatch(/actions\s+= \["s3:ListBucket"\]\s+resources = \[aws_s3_bucket\.this\.arn\]/);
    expect(storage).not.toMatch(/"s3:\*"|arn:aws:s3:::\*/);
    // Wildcard actions only in the bucket policy's Deny (no TLS, no access); never in a grant.
    for (const doc of ['environment', 'storage', 'scaling_monitor', 'cluster_autoscaler'])
      expect(blocks(iam, 'data').get(`aws_iam_policy_document.${doc}`)).not.toMatch(/"[a-z0-9-]+:\*"/);
    expect(read('policies/aws-load-balancer-controller.json')).not.toMatch(/"[a-z0-9-]+:\*"/);
    const env = blocks(iam, 'data').get('aws_iam_policy_document.environment')!;
    expect(env).not.toMatch(/s3:|Create|Delete|Put|Modify/);
  });

  it('grants the scaling-monitor exactly pricing:GetProducts and ec2:DescribeSpotPriceHistory, and passes its role to the chart', () => {
    const iam = read('iam.tf');
    const doc = blocks(iam, 'data').get('aws_iam_policy_document.scaling_monitor')!;
    const actions = [...doc.matchAll(/actions\s+= \[([^\]]*)\]/g)].flatMap((m) => [...m[1].matchAll(/"([^"]+)"/g)].map((a) => a[1]));
    expect(actions.sort()).toEqual(['ec2:DescribeSpotPriceHistory', 'pricing:GetProducts']);
    expect(doc.match(/statement \{/g)).toHaveLength(1);
    expect(iam).toMatch(/scaling-monitor = \{[^}]*policy_json\s+= data\.aws_iam_policy_document\.scaling_monitor\.json[^}]*managed_policies = \[\]/);
    expect(read('app.tf')).toMatch(
      /scalingMonitor = \{\s+serviceAccount = \{\s+name\s+= local\.service_accounts\["scaling-monitor"\]\s+roleArn = aws_iam_role\.workload\["scaling-monitor"\]\.arn/,
    );
  });

  it('installs the EBS CSI, EFS CSI and metrics-server add-ons, and the optional controllers with their roles', () => {
    const addons = read('addons.tf');
    for (const a of ['aws-ebs-csi-driver', 'aws-efs-csi-driver', 'metrics-server', 'eks-pod-identity-agent']) expect(addons).toContain(`${a} `);
    const controllers = read('controllers.tf');
    expect(controllers).toMatch(/chart\s+= "aws-load-balancer-controller"/);
    expect(controllers).toMatch(/chart\s+= "cluster-autoscaler"/);
    expect(read('iam.tf')).toMatch(/"aws:ResourceTag\/k8s\.io\/cluster-autoscaler\/\$\{var\.cluster_name\}"/);
    expect(JSON.parse(read('policies/aws-load-balancer-controller.json')).Statement.length).toBeGreaterThan(10);
  });

  it('turns the VPC CNI network policy agent on by default, so the chart NetworkPolicies are enforced', () => {
    const addons = read('addons.tf');
    const variable = blocks(read('variables.tf'), 'variable').get('enable_network_policy')!;
    expect(variable).toMatch(/default\s+= true/);
    // The add-on is in the managed set when the variable is on, and its configuration carries the flag.
    expect(addons).toMatch(/vpc-cni\s+= \{ enabled = var\.enable_network_policy, role = null \}/);
    expect(addons).toMatch(/vpc-cni = jsonencode\(merge\(var\.vpc_cni_configuration, \{ enableNetworkPolicy = "true" \}\)\)/);
    const resource = blocks(addons, 'resource').get('aws_eks_addon.this')!;
    expect(resource).toMatch(/configuration_values\s+= lookup\(local\.addon_configuration, each\.key, null\)/);
  });

  it('makes ECR tags immutable and installs our chart from the same values deploy.sh uses', () => {
    expect(read('ecr.tf')).toMatch(/image_tag_mutability = "IMMUTABLE"/);
    expect(read('app.tf')).toMatch(/values\s+= \[yamlencode\(local\.chart_values\), yamlencode\(var\.chart_values_override\)\]/);
    expect(read('outputs.tf')).toMatch(/value\s+= yamlencode\(local\.chart_values\)/);
  });

  it('names no account, no credentials and no machine path', () => {
    expect(source).not.toMatch(/\b\d{12}\b/);
    expect(source).not.toMatch(/AKIA[0-9A-Z]{16}|aws_secret_access_key|access_key\s*=/i);
    expect(source).not.toMatch(/\/home\/|\/root\/|\/Users\//);
  });
});
