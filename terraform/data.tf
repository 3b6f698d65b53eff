data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_eks_cluster" "this" {
  name = var.cluster_name
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # The cluster's OIDC issuer without the scheme, as IAM condition keys spell it.
  oidc_issuer       = replace(data.aws_eks_cluster.this.identity[0].oidc[0].issuer, "https://", "")
  oidc_provider_arn = coalesce(var.oidc_provider_arn, "arn:${local.partition}:iam::${local.account_id}:oidc-provider/${local.oidc_issuer}")

  # The chart names objects <fullname>-<component>; fullname is the release name when it already
  # contains the chart name (podinfo-style helper). ServiceAccount names are also passed to the
  # chart explicitly, so the IAM trust and the ServiceAccounts cannot drift apart.
  fullname = strcontains(var.release_name, "eks-info") ? var.release_name : "${var.release_name}-eks-info"
  service_accounts = {
    environment       = "${local.fullname}-environment"
    storage           = "${local.fullname}-storage"
    "scaling-monitor" = "${local.fullname}-scaling-monitor"
  }

  # Security groups allowed to mount EFS: the given node groups, else the cluster security group
  # EKS attaches to managed nodes.
  efs_client_security_group_ids = length(var.node_security_group_ids) > 0 ? var.node_security_group_ids : [data.aws_eks_cluster.this.vpc_config[0].cluster_security_group_id]

  bucket_name = coalesce(var.s3_bucket_name, "${var.name_prefix}-${local.account_id}-${var.region}")
}
