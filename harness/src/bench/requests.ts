// Deterministic benchmark requests: a realistic ~20 KB Pod CREATE in namespace `prod` by an
// OIDC user whose token carries idgov identity claims (userInfo.extra), and variants of any
// size. Small variants drop the bulky parts; large ones grow env vars and annotations (the
// fields that really grow in clusters: env blocks, last-applied-configuration blobs). No
// randomness from the environment: the same size always gives the same bytes.

export const BENCH_NOW = "2026-11-25T12:00:00Z";
const VERIFIED = "2026-11-20T09:00:00Z";

/** The sizes `make bench` runs (compact JSON bytes of the AdmissionRequest). */
export const BENCH_SIZES: { label: string; bytes: number }[] = [
  { label: "1 KB", bytes: 1024 },
  { label: "20 KB", bytes: 20 * 1024 },
  { label: "1 MiB", bytes: 1024 * 1024 },
  { label: "3 MiB", bytes: 3 * 1024 * 1024 },
];

/** mulberry32: a tiny deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
function word(rand: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += ALNUM[Math.floor(rand() * ALNUM.length)];
  return s;
}

/** The idgov claims an OIDC token carries for a user verified at IAL2 with a low AML risk. */
export function identityClaims(verifiedAt = VERIFIED): Record<string, string[]> {
  const c: Record<string, string> = {
    "id-document-status": "approved",
    "id-document-verified-at": verifiedAt,
    "liveness-status": "approved",
    "liveness-verified-at": verifiedAt,
    "face-match-status": "approved",
    "face-match-verified-at": verifiedAt,
    "aml-status": "approved",
    "aml-verified-at": verifiedAt,
    "aml-risk": "low",
  };
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [`idgov.dev/${k}`, [v]]));
}

function gvk(kind: string) {
  return { group: "", version: "v1", kind };
}
function gvr(resource: string) {
  return { group: "", version: "v1", resource };
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function container(rand: () => number, name: string, image: string, envCount: number, port: number): Obj {
  const env: Obj[] = [];
  for (let i = 0; i < envCount; i++) {
    if (i % 5 === 4) env.push({ name: `${name.toUpperCase().replace(/-/g, "_")}_SECRET_${i}`, valueFrom: { secretKeyRef: { name: `${name}-secrets`, key: `key-${i}` } } });
    else env.push({ name: `${name.toUpperCase().replace(/-/g, "_")}_SETTING_${i}`, value: word(rand, 8 + Math.floor(rand() * 24)) });
  }
  return {
    name,
    image,
    imagePullPolicy: "IfNotPresent",
    command: ["/usr/local/bin/" + name],
    args: ["--port=" + port, "--log-format=json", "--metrics-addr=:9090"],
    ports: [{ name: "http", containerPort: port, protocol: "TCP" }, { name: "metrics", containerPort: 9090, protocol: "TCP" }],
    env,
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    volumeMounts: [
      { name: "config", mountPath: "/etc/" + name, readOnly: true },
      { name: "kube-api-access-x7k2p", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
      { name: "tmp", mountPath: "/tmp" },
    ],
    livenessProbe: { httpGet: { path: "/healthz", port, scheme: "HTTP" }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: "/readyz", port, scheme: "HTTP" }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
  };
}

function managedFields(containers: string[]): Obj[] {
  const c: Obj = {};
  for (const name of containers) {
    c[`k:{"name":"${name}"}`] = {
      ".": {},
      "f:args": {},
      "f:command": {},
      "f:env": {},
      "f:image": {},
      "f:imagePullPolicy": {},
      "f:livenessProbe": { ".": {}, "f:httpGet": { ".": {}, "f:path": {}, "f:port": {}, "f:scheme": {} } },
      "f:name": {},
      "f:ports": { ".": {}, "k:{\"containerPort\":8080,\"protocol\":\"TCP\"}": { ".": {}, "f:containerPort": {}, "f:name": {}, "f:protocol": {} } },
      "f:readinessProbe": { ".": {}, "f:httpGet": { ".": {}, "f:path": {}, "f:port": {} } },
      "f:resources": { ".": {}, "f:limits": { ".": {}, "f:cpu": {}, "f:memory": {} }, "f:requests": { ".": {}, "f:cpu": {}, "f:memory": {} } },
      "f:securityContext": { ".": {}, "f:allowPrivilegeEscalation": {}, "f:capabilities": { ".": {}, "f:drop": {} }, "f:readOnlyRootFilesystem": {}, "f:runAsNonRoot": {} },
      "f:terminationMessagePath": {},
      "f:terminationMessagePolicy": {},
      "f:volumeMounts": { ".": {}, "k:{\"mountPath\":\"/tmp\"}": { ".": {}, "f:mountPath": {}, "f:name": {} } },
    };
  }
  return [{
    manager: "kube-controller-manager",
    operation: "Update",
    apiVersion: "v1",
    time: "2026-11-25T11:59:58Z",
    fieldsType: "FieldsV1",
    fieldsV1: {
      "f:metadata": { "f:annotations": { ".": {}, "f:kubectl.kubernetes.io/restartedAt": {}, "f:prometheus.io/scrape": {} }, "f:generateName": {}, "f:labels": { ".": {}, "f:app": {}, "f:pod-template-hash": {}, "f:team": {} }, "f:ownerReferences": { ".": {}, "k:{\"uid\":\"0c3e4f6a-8b1d-4c2e-9f7a-5d6b8e9c0a1f\"}": {} } },
      "f:spec": { "f:containers": c, "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {}, "f:securityContext": {}, "f:serviceAccount": {}, "f:serviceAccountName": {}, "f:terminationGracePeriodSeconds": {}, "f:volumes": {} },
    },
  }];
}

/** kubectl's last-applied-configuration: a JSON document inside a string (escaped quotes). */
function lastApplied(rand: () => number, n: number): string {
  const doc: Obj = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "payments-api", namespace: "prod", labels: { app: "payments-api", team: "payments" } }, spec: { replicas: 3, template: { spec: { containers: [] as Obj[] } } } };
  for (let i = 0; i < n; i++) doc.spec.template.spec.containers.push({ name: `c${i}`, image: `registry.example.com/payments/${word(rand, 6)}:1.${i}`, env: [{ name: "MODE", value: word(rand, 12) }] });
  return JSON.stringify(doc);
}

/** The realistic Pod CREATE (about 20 KB compact). */
function fullRequest(rand: () => number): Obj {
  const names = ["api", "envoy", "log-shipper"];
  const object: Obj = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "payments-api-7d9f8b6c5-x2k4q",
      generateName: "payments-api-7d9f8b6c5-",
      namespace: "prod",
      uid: "5f0b7c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e",
      creationTimestamp: null,
      labels: { "app": "payments-api", "team": "payments", "version": "1.42.0", "pod-template-hash": "7d9f8b6c5", "app.kubernetes.io/part-of": "payments" },
      annotations: {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "9090",
        "kubectl.kubernetes.io/restartedAt": "2026-11-25T11:59:00Z",
        "kubectl.kubernetes.io/last-applied-configuration": lastApplied(rand, 6),
        "checksum/config": word(rand, 64),
        "idgov.dev/change-ticket": "CHG-2026-11-0421",
      },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "payments-api-7d9f8b6c5", uid: "0c3e4f6a-8b1d-4c2e-9f7a-5d6b8e9c0a1f", controller: true, blockOwnerDeletion: true }],
      managedFields: managedFields(names),
    },
    spec: {
      volumes: [
        { name: "config", configMap: { name: "payments-api-config", defaultMode: 420 } },
        { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
        { name: "tls", secret: { secretName: "payments-api-tls", defaultMode: 256 } },
        { name: "kube-api-access-x7k2p", projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: "token" } }, { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } }, { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } }] } },
      ],
      initContainers: [container(rand, "migrate", "registry.example.com/payments/migrate:1.42.0", 6, 8081)],
      containers: [
        container(rand, "api", "registry.example.com/payments/api:1.42.0", 30, 8080),
        container(rand, "envoy", "mirror.internal.example/envoyproxy/envoy:v1.31.2", 10, 15001),
        container(rand, "log-shipper", "registry.example.com/observability/fluent-bit:3.1.9", 10, 2020),
      ],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      serviceAccountName: "payments-api",
      serviceAccount: "payments-api",
      securityContext: { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
      affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: "payments-api" } }, topologyKey: "kubernetes.io/hostname" } }] } },
      tolerations: [
        { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority",
    },
    status: { phase: "Pending", qosClass: "Burstable" },
  };
  return {
    uid: "9c1f4b2e-6a7d-4e8f-b3c5-1d2e3f4a5b6c",
    kind: gvk("Pod"),
    resource: gvr("pods"),
    requestKind: gvk("Pod"),
    requestResource: gvr("pods"),
    name: "payments-api-7d9f8b6c5-x2k4q",
    namespace: "prod",
    operation: "CREATE",
    userInfo: {
      username: "alice@example.com",
      uid: "oidc-8fcf6305",
      groups: ["oidc:platform-engineers", "oidc:payments", "system:authenticated"],
      extra: { "authentication.kubernetes.io/credential-id": ["JTI=6f1c2d7e-3b4a-4c5d-9e8f-0a1b2c3d4e5f"], ...identityClaims() },
    },
    object,
    oldObject: null,
    dryRun: false,
    options: { kind: "CreateOptions", apiVersion: "meta.k8s.io/v1", fieldManager: "kube-controller-manager" },
  };
}

/** The smallest realistic variant: the same decision inputs, a one-container Pod. */
function compactRequest(): Obj {
  return {
    uid: "9c1f4b2e-6a7d-4e8f-b3c5-1d2e3f4a5b6c",
    kind: gvk("Pod"),
    resource: gvr("pods"),
    namespace: "prod",
    operation: "CREATE",
    userInfo: { username: "alice@example.com", groups: ["system:authenticated"], extra: identityClaims() },
    object: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: "prod", labels: { app: "web", team: "payments" }, annotations: {} },
      spec: { containers: [{ name: "web", image: "registry.example.com/payments/web:1.4.2" }] },
    },
  };
}

const size = (o: unknown) => Buffer.byteLength(JSON.stringify(o));

/**
 * An AdmissionRequest (Pod CREATE in `prod` by alice@example.com with IAL2 claims) whose
 * compact JSON is exactly `targetBytes` long (at least the smallest variant, ~0.9 KB).
 * Below ~20 KB the compact Pod is padded; above, the full Pod grows env vars (in every
 * container) and annotations (escaped JSON blobs), then one annotation pads to the byte.
 */
export function benchRequest(targetBytes: number): Obj {
  const rand = prng(0x1d60);
  const full = fullRequest(rand);
  const base = size(full) <= targetBytes ? full : compactRequest();
  const annotations: Obj = base.object.metadata.annotations;
  const containers: Obj[] = base.object.spec.containers;
  const padKey = "idgov.dev/bench-padding";
  const padOverhead = size({ [padKey]: "" }) - 2 + 1; // "key":"" plus a comma
  let current = size(base);
  if (base === full) {
    // Grow in chunks until one more chunk would pass the target.
    let i = 0;
    const chunk = () => {
      if (i % 4 === 3) {
        const key = `config.idgov.dev/blob-${i}`;
        const value = lastApplied(rand, 3 + (i % 5));
        return { add: () => { annotations[key] = value; }, bytes: size({ [key]: value }) - 1 };
      }
      const c = containers[i % containers.length];
      const e = { name: `FEATURE_${c.name.toUpperCase().replace(/-/g, "_")}_${i}`, value: word(rand, 16 + (i % 48)) };
      return { add: () => { c.env.push(e); }, bytes: size(e) + 1 };
    };
    for (;;) {
      const next = chunk();
      if (current + next.bytes + padOverhead + 64 > targetBytes) break;
      next.add();
      i++;
      current += next.bytes;
    }
  }
  annotations[padKey] = "";
  const pad = targetBytes - size(base);
  if (pad > 0) annotations[padKey] = word(rand, pad);
  return base;
}
