# Optional controllers installed with Helm: the AWS Load Balancer Controller (the app's Ingress
# becomes an ALB) and the Cluster Autoscaler (nodes follow Pending pods; not for Karpenter or
# EKS Auto Mode clusters, which scale nodes themselves).

resource "helm_release" "aws_load_balancer_controller" {
  count = var.install_load_balancer_controller ? 1 : 0

  name       = "aws-load-balancer-controller"
  namespace  = "kube-system"
  repository = var.load_balancer_controller_chart_repository
  chart      = "aws-load-balancer-controller"
  version    = var.load_balancer_controller_chart_version

  values = [yamlencode({
    clusterName = var.cluster_name
    region      = var.region
    vpcId       = var.vpc_id
    serviceAccount = {
      create = true
      name   = "aws-load-balancer-controller"
      annotations = var.identity_mode == "irsa" ? {
        "eks.amazonaws.com/role-arn" = aws_iam_role.workload["aws-load-balancer-controller"].arn
      } : {}
    }
  })]

  depends_on = [aws_eks_pod_identity_association.workload]
}

resource "helm_release" "cluster_autoscaler" {
  count = var.install_cluster_autoscaler ? 1 : 0

  name       = "cluster-autoscaler"
  namespace  = "kube-system"
  repository = var.cluster_autoscaler_chart_repository
  chart      = "cluster-autoscaler"
  version    = var.cluster_autoscaler_chart_version

  values = [yamlencode({
    awsRegion     = var.region
    autoDiscovery = { clusterName = var.cluster_name }
    # Publishes kube-system/cluster-autoscaler-status, which the scaling-monitor shows.
    extraArgs = { write-status-configmap = true, balance-similar-node-groups = true }
    rbac = {
      serviceAccount = {
        create = true
        name   = "cluster-autoscaler"
        annotations = var.identity_mode == "irsa" ? {
          "eks.amazonaws.com/role-arn" = aws_iam_role.workload["cluster-autoscaler"].arn
        } : {}
      }
    }
  })]

  depends_on = [aws_eks_pod_identity_association.workload]
}
