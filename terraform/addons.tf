# EKS add-ons the app depends on: EBS and EFS CSI drivers (volumes), metrics-server (HPA and
# usage figures), the Pod Identity agent when that identity mode is chosen, and the VPC CNI with
# its network policy agent, which enforces the chart's NetworkPolicies.

locals {
  addons = {
    aws-ebs-csi-driver     = { enabled = var.install_ebs_csi_driver, role = "ebs-csi-driver" }
    aws-efs-csi-driver     = { enabled = var.install_efs_csi_driver, role = "efs-csi-driver" }
    metrics-server         = { enabled = var.install_metrics_server, role = null }
    eks-pod-identity-agent = { enabled = var.identity_mode == "pod_identity", role = null }
    vpc-cni                = { enabled = var.enable_network_policy, role = null }
  }
  # Add-on configuration values (each add-on's own JSON schema: aws eks describe-addon-configuration).
  addon_configuration = {
    # The network policy agent: without it NetworkPolicy objects are accepted and ignored.
    vpc-cni = jsonencode(merge(var.vpc_cni_configuration, { enableNetworkPolicy = "true" }))
  }
}

resource "aws_eks_addon" "this" {
  for_each = { for name, a in local.addons : name => a if a.enabled }

  cluster_name  = var.cluster_name
  addon_name    = each.key
  addon_version = lookup(var.addon_versions, each.key, null)
  # IRSA: the add-on annotates its ServiceAccount; Pod Identity uses the associations in iam.tf.
  service_account_role_arn    = each.value.role != null && var.identity_mode == "irsa" ? aws_iam_role.workload[each.value.role].arn : null
  configuration_values        = lookup(local.addon_configuration, each.key, null)
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "PRESERVE"

  # The agent must run before add-ons that rely on Pod Identity credentials start.
  depends_on = [aws_eks_pod_identity_association.workload]
}
