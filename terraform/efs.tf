# The shared ReadWriteMany volume of the storage pods: encrypted, elastic throughput, a mount
# target in every private subnet, NFS open to the nodes only, and an access point that pins the
# app's POSIX user (EFS ignores Kubernetes' fsGroup).

resource "aws_security_group" "efs" {
  name        = "${var.name_prefix}-efs"
  description = "NFS from the EKS nodes to the eks-info EFS mount targets"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name_prefix}-efs" }
}

resource "aws_vpc_security_group_ingress_rule" "efs_nfs" {
  for_each = toset(local.efs_client_security_group_ids)

  security_group_id            = aws_security_group.efs.id
  description                  = "NFS from EKS nodes"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049
}

resource "aws_efs_file_system" "this" {
  creation_token   = "${var.name_prefix}-${var.cluster_name}"
  encrypted        = true
  kms_key_id       = var.kms_key_arn
  performance_mode = "generalPurpose"
  throughput_mode  = "elastic"

  lifecycle_policy {
    transition_to_ia = "AFTER_30_DAYS"
  }

  tags = { Name = "${var.name_prefix}-${var.cluster_name}" }
}

resource "aws_efs_mount_target" "this" {
  for_each = toset(var.private_subnet_ids)

  file_system_id  = aws_efs_file_system.this.id
  subnet_id       = each.value
  security_groups = [aws_security_group.efs.id]
}

resource "aws_efs_access_point" "app" {
  file_system_id = aws_efs_file_system.this.id

  posix_user {
    uid = var.app_uid
    gid = var.app_uid
  }

  root_directory {
    path = "/${var.namespace}"
    creation_info {
      owner_uid   = var.app_uid
      owner_gid   = var.app_uid
      permissions = "0770"
    }
  }

  tags = { Name = "${var.name_prefix}-${var.namespace}" }
}
