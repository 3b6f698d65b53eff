# Inputs, each as description → type → default, plus validation where a wrong value would only
# fail late (at apply time in AWS, or inside the cluster).

# --- The existing cluster ---------------------------------------------------------------------

variable "cluster_name" {
  description = "Name of the existing EKS cluster to install into."
  type        = string

  validation {
    condition     = can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.cluster_name))
    error_message = "cluster_name must be an EKS cluster name (letters, digits, - and _, up to 100 characters)."
  }
}

variable "region" {
  description = "AWS region of the cluster, e.g. eu-west-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "vpc_id" {
  description = "VPC of the cluster (EFS security group, the Load Balancer Controller, /network)."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets of the nodes; EFS gets a mount target in each (one per AZ)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) > 0 && alltrue([for s in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "private_subnet_ids must list at least one subnet id (subnet-...)."
  }
}

variable "node_security_group_ids" {
  description = "Security groups of the nodes allowed to mount EFS (NFS, 2049/tcp). Empty: the cluster security group EKS attaches to managed nodes."
  type        = list(string)
  default     = []
}

variable "identity_mode" {
  description = "How pods get AWS credentials: irsa (IAM roles for service accounts, needs the cluster's OIDC provider in IAM) or pod_identity (EKS Pod Identity; installs its agent add-on)."
  type        = string
  default     = "irsa"

  validation {
    condition     = contains(["irsa", "pod_identity"], var.identity_mode)
    error_message = "identity_mode must be irsa or pod_identity."
  }
}

variable "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider (irsa mode). Null: derived from the cluster's issuer URL; the provider must already exist."
  type        = string
  default     = null
}

# --- Naming -------------------------------------------------------------------------------------

variable "name_prefix" {
  description = "Prefix of the AWS resources' names (IAM roles, EFS, bucket, ECR repository)."
  type        = string
  default     = "eks-info"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be 2-31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "namespace" {
  description = "Kubernetes namespace of the app (the IAM trust policies are scoped to it)."
  type        = string
  default     = "eks-info"
}

variable "release_name" {
  description = "Helm release name of the app (the ServiceAccount names derive from it)."
  type        = string
  default     = "eks-info"
}

variable "tags" {
  description = "Extra tags on every AWS resource."
  type        = map(string)
  default     = {}
}

# --- Storage ------------------------------------------------------------------------------------

variable "s3_bucket_name" {
  description = "Name of the S3 bucket for the S3 demo and the reports. Null: <name_prefix>-<account id>-<region>."
  type        = string
  default     = null

  validation {
    condition     = var.s3_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.s3_bucket_name))
    error_message = "s3_bucket_name must be a valid S3 bucket name."
  }
}

variable "s3_prefix" {
  description = "Key prefix the app works under; its IAM policy is scoped to it. Ends with /."
  type        = string
  default     = "eks-info/"

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*/$", var.s3_prefix))
    error_message = "s3_prefix must be a plain key prefix ending with /, e.g. eks-info/."
  }
}

variable "report_retention_days" {
  description = "Days after which the access-statistics reports (<s3_prefix>reports/) expire."
  type        = number
  default     = 30

  validation {
    condition     = var.report_retention_days >= 1
    error_message = "report_retention_days must be at least 1."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days after which overwritten or deleted object versions are removed (versioning is on)."
  type        = number
  default     = 7
}

variable "s3_force_destroy" {
  description = "Let `terraform destroy` delete a non-empty bucket (demo clusters)."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "KMS key for EFS and S3 encryption. Null: the AWS-managed keys (EFS) and SSE-S3."
  type        = string
  default     = null
}

variable "app_uid" {
  description = "POSIX user and group id of the app's containers; the EFS access point enforces it (must match the chart's runAsUser)."
  type        = number
  default     = 10001
}

# --- Cluster add-ons ----------------------------------------------------------------------------

variable "install_ebs_csi_driver" {
  description = "Install the aws-ebs-csi-driver EKS add-on with its IAM role (per-pod EBS volumes)."
  type        = bool
  default     = true
}

variable "install_efs_csi_driver" {
  description = "Install the aws-efs-csi-driver EKS add-on with its IAM role (the shared EFS volume)."
  type        = bool
  default     = true
}

variable "install_metrics_server" {
  description = "Install the metrics-server EKS add-on; HPAs show <unknown> targets and /resources has no usage without it."
  type        = bool
  default     = true
}

variable "enable_network_policy" {
  description = "Manage the vpc-cni EKS add-on with its network policy agent on (enableNetworkPolicy), so the chart's NetworkPolicies are enforced; without it they are stored but do nothing. Needs VPC CNI 1.14+. If vpc-cni is already a managed add-on, import it first."
  type        = bool
  default     = true
}

variable "vpc_cni_configuration" {
  description = "Other vpc-cni add-on configuration values to keep (e.g. ENABLE_PREFIX_DELEGATION under env), merged under enableNetworkPolicy; the add-on's configuration replaces what the cluster had."
  type        = any
  default     = {}
}

variable "addon_versions" {
  description = "EKS add-on versions by add-on name (e.g. aws-ebs-csi-driver = \"v1.40.0-eksbuild.1\"); absent = the default version for the cluster."
  type        = map(string)
  default     = {}
}

variable "install_load_balancer_controller" {
  description = "Install the AWS Load Balancer Controller (Helm) with its IAM role, and enable the app's Ingress."
  type        = bool
  default     = false
}

variable "load_balancer_controller_chart_version" {
  description = "Version of the aws-load-balancer-controller chart."
  type        = string
  default     = "1.13.4"
}

variable "load_balancer_controller_chart_repository" {
  description = "Helm repository of the aws-load-balancer-controller chart."
  type        = string
  default     = "https://aws.github.io/eks-charts"
}

variable "install_cluster_autoscaler" {
  description = "Install the Cluster Autoscaler (Helm) with its IAM role. Leave false on Karpenter or EKS Auto Mode clusters."
  type        = bool
  default     = false
}

variable "cluster_autoscaler_chart_version" {
  description = "Version of the cluster-autoscaler chart; its app version should match the cluster's minor version."
  type        = string
  default     = "9.46.6"
}

variable "cluster_autoscaler_chart_repository" {
  description = "Helm repository of the cluster-autoscaler chart."
  type        = string
  default     = "https://kubernetes.github.io/autoscaler"
}

# --- Image and app ------------------------------------------------------------------------------

variable "ecr_force_delete" {
  description = "Let `terraform destroy` delete the ECR repository with its images."
  type        = bool
  default     = false
}

variable "deploy_app" {
  description = "Install the app's chart from Terraform (helm_release). scripts/deploy.sh leaves this false and runs `helm upgrade --install` with the chart_values_yaml output instead."
  type        = bool
  default     = false
}

variable "chart_path" {
  description = "Path of the app's chart, relative to this directory."
  type        = string
  default     = "../helm/eks-info"
}

variable "image_tag" {
  description = "Tag of the app image in the ECR repository (scripts/build.sh pushes the git commit)."
  type        = string
  default     = "latest"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid image tag."
  }
}

variable "architecture" {
  description = "Nodes the app runs on: arm64 (Graviton), amd64, or multi (either; the image is multi-arch)."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "amd64", "multi"], var.architecture)
    error_message = "architecture must be arm64, amd64 or multi."
  }
}

variable "ingress" {
  description = "The app's ALB Ingress (needs the AWS Load Balancer Controller): scheme, ACM certificate, allowed client CIDRs. Internet-facing needs certificate_arn (basic auth over plain HTTP is refused) unless allow_insecure_http."
  type = object({
    enabled         = optional(bool)
    scheme          = optional(string, "internet-facing")
    certificate_arn = optional(string, "")
    inbound_cidrs   = optional(list(string), [])
    group_name      = optional(string, "")
    host            = optional(string, "")
    # The chart refuses an internet-facing Ingress without a certificate while basic auth is on.
    allow_insecure_http = optional(bool, false)
  })
  default = {}

  validation {
    condition     = contains(["internet-facing", "internal"], var.ingress.scheme)
    error_message = "ingress.scheme must be internet-facing or internal."
  }
}

variable "chart_values_override" {
  description = "Extra chart values merged over the ones Terraform computes (same shape as values.yaml)."
  type        = any
  default     = {}
}
