# The values our chart needs from this module, in one place: Terraform's own helm_release and
# scripts/deploy.sh (through the chart_values_yaml output) install the chart with the same values.

locals {
  ingress_enabled = coalesce(var.ingress.enabled, var.install_load_balancer_controller)

  chart_values = {
    clusterName  = var.cluster_name
    architecture = var.architecture
    aws = {
      region   = var.region
      identity = var.identity_mode == "irsa" ? "irsa" : "pod-identity"
    }
    image = {
      repository = aws_ecr_repository.app.repository_url
      tag        = var.image_tag
    }
    gateway = {
      ingress = {
        enabled           = local.ingress_enabled
        scheme            = var.ingress.scheme
        certificateArn    = var.ingress.certificate_arn
        inboundCidrs      = var.ingress.inbound_cidrs
        groupName         = var.ingress.group_name
        host              = var.ingress.host
        allowInsecureHttp = var.ingress.allow_insecure_http
      }
    }
    environment = {
      vpcId = var.vpc_id
      serviceAccount = {
        name    = local.service_accounts.environment
        roleArn = aws_iam_role.workload["environment"].arn
      }
    }
    storage = {
      serviceAccount = {
        name    = local.service_accounts.storage
        roleArn = aws_iam_role.workload["storage"].arn
      }
      s3 = {
        bucket = aws_s3_bucket.this.bucket
        prefix = var.s3_prefix
      }
      # A static volume on the access point above (fixed POSIX owner), no StorageClass needed.
      efs = {
        fileSystemId  = aws_efs_file_system.this.id
        accessPointId = aws_efs_access_point.app.id
      }
    }
    scalingMonitor = {
      serviceAccount = {
        name    = local.service_accounts["scaling-monitor"]
        roleArn = aws_iam_role.workload["scaling-monitor"].arn
      }
      rbac = { clusterAutoscalerStatus = var.install_cluster_autoscaler }
    }
    podSecurityContext = {
      runAsNonRoot        = true
      runAsUser           = var.app_uid
      runAsGroup          = var.app_uid
      fsGroup             = var.app_uid
      fsGroupChangePolicy = "OnRootMismatch"
      seccompProfile      = { type = "RuntimeDefault" }
    }
    containerSecurityContext = {
      runAsNonRoot             = true
      runAsUser                = var.app_uid
      runAsGroup               = var.app_uid
      readOnlyRootFilesystem   = true
      allowPrivilegeEscalation = false
      privileged               = false
      capabilities             = { drop = ["ALL"] }
      seccompProfile           = { type = "RuntimeDefault" }
    }
  }
}

resource "helm_release" "app" {
  count = var.deploy_app ? 1 : 0

  name             = var.release_name
  namespace        = var.namespace
  create_namespace = true
  chart            = "${path.module}/${var.chart_path}"
  values           = [yamlencode(local.chart_values), yamlencode(var.chart_values_override)]
  wait             = true
  timeout          = 600

  depends_on = [
    aws_eks_addon.this,
    aws_efs_mount_target.this,
    aws_eks_pod_identity_association.workload,
    helm_release.aws_load_balancer_controller,
  ]
}
