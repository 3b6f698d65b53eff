# Outputs, named and described for their consumer: the app's Helm chart (values paths in
# brackets), scripts/deploy.sh and scripts/build.sh.

output "chart_values_yaml" {
  description = "All chart values this module computes, as YAML: scripts/deploy.sh passes it to `helm upgrade --install -f`."
  value       = yamlencode(local.chart_values)
}

output "ecr_repository_url" {
  description = "Image repository [image.repository]; scripts/build.sh pushes here."
  value       = aws_ecr_repository.app.repository_url
}

output "s3_bucket_name" {
  description = "Bucket of the S3 demo and reports [storage.s3.bucket]."
  value       = aws_s3_bucket.this.bucket
}

output "s3_prefix" {
  description = "Key prefix the storage role is scoped to [storage.s3.prefix]."
  value       = var.s3_prefix
}

output "efs_file_system_id" {
  description = "EFS file system [storage.efs.fileSystemId, or storageClasses.efs.fileSystemId for dynamic access points]."
  value       = aws_efs_file_system.this.id
}

output "efs_access_point_id" {
  description = "EFS access point owned by the app's UID [storage.efs.accessPointId]."
  value       = aws_efs_access_point.app.id
}

output "role_arns" {
  description = "IAM role per workload: environment [environment.serviceAccount.roleArn], storage [storage.serviceAccount.roleArn], scaling-monitor [scalingMonitor.serviceAccount.roleArn], and the add-ons' and controllers' roles."
  value       = { for k, r in aws_iam_role.workload : k => r.arn }
}

output "service_account_names" {
  description = "ServiceAccount names the roles trust [<component>.serviceAccount.name]."
  value       = local.service_accounts
}

output "namespace" {
  description = "Namespace the roles are scoped to: install the release there (helm -n)."
  value       = var.namespace
}

output "release_name" {
  description = "Helm release name the ServiceAccount names derive from."
  value       = var.release_name
}

output "cluster_name" {
  description = "EKS cluster (aws eks update-kubeconfig --name) [clusterName]."
  value       = var.cluster_name
}

output "region" {
  description = "AWS region [aws.region]."
  value       = var.region
}
