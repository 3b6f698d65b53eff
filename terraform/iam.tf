# One IAM role per workload that calls AWS, each trusted only by its own ServiceAccount
# (IRSA: the OIDC subject namespace:serviceaccount and audience sts; Pod Identity: an
# association per ServiceAccount). The gateway and the stress service call no AWS API and get no
# role.

locals {
  # Every role this module may create; `enabled` drops the ones not wanted (a filter rather than
  # conditional maps, whose two branches Terraform requires to have the same type).
  all_workload_roles = {
    environment = {
      enabled          = true
      namespace        = var.namespace
      service_accounts = [local.service_accounts.environment]
      policy_json      = data.aws_iam_policy_document.environment.json
      managed_policies = []
    }
    storage = {
      enabled          = true
      namespace        = var.namespace
      service_accounts = [local.service_accounts.storage]
      policy_json      = data.aws_iam_policy_document.storage.json
      managed_policies = []
    }
    scaling-monitor = {
      enabled          = true
      namespace        = var.namespace
      service_accounts = [local.service_accounts["scaling-monitor"]]
      policy_json      = data.aws_iam_policy_document.scaling_monitor.json
      managed_policies = []
    }
    ebs-csi-driver = {
      enabled          = var.install_ebs_csi_driver
      namespace        = "kube-system"
      service_accounts = ["ebs-csi-controller-sa"]
      policy_json      = null
      managed_policies = ["arn:${local.partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"]
    }
    efs-csi-driver = {
      enabled          = var.install_efs_csi_driver
      namespace        = "kube-system"
      service_accounts = ["efs-csi-controller-sa", "efs-csi-node-sa"]
      policy_json      = null
      managed_policies = ["arn:${local.partition}:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy"]
    }
    aws-load-balancer-controller = {
      enabled          = var.install_load_balancer_controller
      namespace        = "kube-system"
      service_accounts = ["aws-load-balancer-controller"]
      policy_json      = file("${path.module}/policies/aws-load-balancer-controller.json")
      managed_policies = []
    }
    cluster-autoscaler = {
      enabled          = var.install_cluster_autoscaler
      namespace        = "kube-system"
      service_accounts = ["cluster-autoscaler"]
      policy_json      = data.aws_iam_policy_document.cluster_autoscaler.json
      managed_policies = []
    }
  }
  workload_roles = { for k, v in local.all_workload_roles : k => v if v.enabled }

  # (role, service account) pairs for the Pod Identity associations.
  pod_identity_associations = merge([
    for role, r in local.workload_roles : {
      for sa in r.service_accounts : "${role}/${sa}" => { role = role, namespace = r.namespace, service_account = sa }
    } if var.identity_mode == "pod_identity"
  ]...)
}

data "aws_iam_policy_document" "trust" {
  for_each = local.workload_roles

  dynamic "statement" {
    for_each = var.identity_mode == "irsa" ? [1] : []
    content {
      sid     = "IrsaServiceAccount"
      actions = ["sts:AssumeRoleWithWebIdentity"]
      principals {
        type        = "Federated"
        identifiers = [local.oidc_provider_arn]
      }
      condition {
        test     = "StringEquals"
        variable = "${local.oidc_issuer}:sub"
        values   = [for sa in each.value.service_accounts : "system:serviceaccount:${each.value.namespace}:${sa}"]
      }
      condition {
        test     = "StringEquals"
        variable = "${local.oidc_issuer}:aud"
        values   = ["sts.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.identity_mode == "pod_identity" ? [1] : []
    content {
      sid     = "EksPodIdentity"
      actions = ["sts:AssumeRole", "sts:TagSession"]
      principals {
        type        = "Service"
        identifiers = ["pods.eks.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }
}

resource "aws_iam_role" "workload" {
  for_each = local.workload_roles

  name               = "${var.name_prefix}-${var.cluster_name}-${each.key}"
  description        = "eks-info: ${each.key} (${each.value.namespace}/${join(",", each.value.service_accounts)})"
  assume_role_policy = data.aws_iam_policy_document.trust[each.key].json
}

resource "aws_iam_role_policy" "workload" {
  for_each = { for k, v in local.workload_roles : k => v if v.policy_json != null }

  name   = each.key
  role   = aws_iam_role.workload[each.key].id
  policy = each.value.policy_json
}

resource "aws_iam_role_policy_attachment" "workload" {
  for_each = merge([
    for k, v in local.workload_roles : { for arn in v.managed_policies : "${k}/${basename(arn)}" => { role = k, arn = arn } }
  ]...)

  role       = aws_iam_role.workload[each.value.role].name
  policy_arn = each.value.arn
}

resource "aws_eks_pod_identity_association" "workload" {
  for_each = local.pod_identity_associations

  cluster_name    = var.cluster_name
  namespace       = each.value.namespace
  service_account = each.value.service_account
  role_arn        = aws_iam_role.workload[each.value.role].arn
}

# --- Policies ------------------------------------------------------------------------------------

# Environment service: read-only describes for /, /network and the storage overview. Describe
# calls do not support resource-level permissions, hence "*".
data "aws_iam_policy_document" "environment" {
  statement {
    sid = "DescribeNetworkAndInstances"
    actions = [
      "ec2:DescribeInstances",
      "ec2:DescribeVpcs",
      "ec2:DescribeVpcAttribute",
      "ec2:DescribeSubnets",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeRouteTables",
      "ec2:DescribeVolumes",
    ]
    resources = ["*"]
  }
  statement {
    sid = "DescribeLoadBalancers"
    actions = [
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeListeners",
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetHealth",
    ]
    resources = ["*"]
  }
  statement {
    sid = "DescribeEfs"
    actions = [
      "elasticfilesystem:DescribeFileSystems",
      "elasticfilesystem:DescribeMountTargets",
      "elasticfilesystem:DescribeAccessPoints",
    ]
    resources = ["*"]
  }
}

# Storage service: objects under the app's prefix in its own bucket only, the bucket's
# settings for /s3, and EFS/EBS describes for /storage. sts:GetCallerIdentity needs no grant.
data "aws_iam_policy_document" "storage" {
  statement {
    sid       = "ListAppPrefix"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.this.arn]
    # IfExists: HeadBucket (also authorised by s3:ListBucket) carries no prefix.
    condition {
      test     = "StringLikeIfExists"
      variable = "s3:prefix"
      values   = ["${var.s3_prefix}*"]
    }
  }
  statement {
    sid       = "ObjectsUnderAppPrefix"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.this.arn}/${var.s3_prefix}*"]
  }
  statement {
    sid = "ReadBucketSettings"
    actions = [
      "s3:GetBucketLocation",
      "s3:GetBucketVersioning",
      "s3:GetEncryptionConfiguration",
      "s3:GetBucketPublicAccessBlock",
    ]
    resources = [aws_s3_bucket.this.arn]
  }
  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [1]
    content {
      sid       = "UseBucketKey"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [var.kms_key_arn]
    }
  }
  statement {
    sid = "DescribeStorage"
    actions = [
      "elasticfilesystem:DescribeFileSystems",
      "elasticfilesystem:DescribeMountTargets",
      "elasticfilesystem:DescribeAccessPoints",
      "ec2:DescribeVolumes",
    ]
    resources = ["*"]
  }
}

# Scaling-monitor: node prices for the cost sections, exactly these two actions: list prices from
# the Price List Query API and spot prices from the EC2 spot price history. Neither supports
# resource-level permissions, hence "*".
data "aws_iam_policy_document" "scaling_monitor" {
  statement {
    sid       = "NodePrices"
    actions   = ["pricing:GetProducts", "ec2:DescribeSpotPriceHistory"]
    resources = ["*"]
  }
}

# Cluster Autoscaler: discover node groups; change only the ones tagged for this cluster.
data "aws_iam_policy_document" "cluster_autoscaler" {
  statement {
    sid = "Discover"
    actions = [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeAutoScalingInstances",
      "autoscaling:DescribeLaunchConfigurations",
      "autoscaling:DescribeScalingActivities",
      "autoscaling:DescribeTags",
      "ec2:DescribeImages",
      "ec2:DescribeInstanceTypes",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:GetInstanceTypesFromInstanceRequirements",
      "eks:DescribeNodegroup",
    ]
    resources = ["*"]
  }
  statement {
    sid       = "ScaleOwnNodeGroups"
    actions   = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/k8s.io/cluster-autoscaler/${var.cluster_name}"
      values   = ["owned"]
    }
  }
}
