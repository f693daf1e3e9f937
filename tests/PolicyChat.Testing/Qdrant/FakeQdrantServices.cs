using Google.Protobuf;
using Grpc.Core;
using Qdrant.Client.Grpc;

namespace PolicyChat.Testing.Qdrant;

/// <summary>
/// The gRPC services <c>qdrant.Points</c>, <c>qdrant.Collections</c> and <c>qdrant.Qdrant</c> as the package's client sees
/// them: each <see cref="Method{TRequest, TResponse}"/> is built by hand from Qdrant.Client's message types (the package
/// ships client code only) and every handler goes through <see cref="FakeQdrant.HandleAsync{TResponse}"/>.
/// </summary>
internal static class FakeQdrantMethods
{
    public static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string service, string name, MessageParser<TRequest> request, MessageParser<TResponse> response)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        new(MethodType.Unary, service, name,
            Marshallers.Create(m => m.ToByteArray(), request.ParseFrom),
            Marshallers.Create(m => m.ToByteArray(), response.ParseFrom));
}

[BindServiceMethod(typeof(FakeQdrantPoints), nameof(BindService))]
public class FakeQdrantPoints(FakeQdrant fake)
{
    private const string Service = "qdrant.Points";

    /// <summary>
    /// True: upsert requests are read as bytes and not parsed, for the "accepts instantly" server of the ingestion benchmark.
    /// Process-wide (the marshaller cannot see the server); <see cref="FakeQdrant"/> sets it for an engine with DiscardPoints.
    /// </summary>
    public static bool DrainUpserts { get; set; }

    public static void BindService(ServiceBinderBase binder, FakeQdrantPoints? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        var upsert = new Method<UpsertPoints, PointsOperationResponse>(MethodType.Unary, Service, "Upsert",
            Marshallers.Create<UpsertPoints>(m => m.ToByteArray(), c => DrainUpserts ? new UpsertPoints() : UpsertPoints.Parser.ParseFrom(c)),
            Marshallers.Create(m => m.ToByteArray(), PointsOperationResponse.Parser.ParseFrom));
        binder.AddMethod(upsert, service is null ? null : service.Upsert);
        binder.AddMethod(FakeQdrantMethods.Unary(Service, "Delete", DeletePoints.Parser, PointsOperationResponse.Parser), service is null ? null : service.Delete);
        binder.AddMethod(FakeQdrantMethods.Unary(Service, "Get", GetPoints.Parser, GetResponse.Parser), service is null ? null : service.Get);
        binder.AddMethod(FakeQdrantMethods.Unary(Service, "Scroll", ScrollPoints.Parser, ScrollResponse.Parser), service is null ? null : service.Scroll);
        binder.AddMethod(FakeQdrantMethods.Unary(Service, "Count", CountPoints.Parser, CountResponse.Parser), service is null ? null : service.Count);
        binder.AddMethod(FakeQdrantMethods.Unary(Service, "Query", QueryPoints.Parser, QueryResponse.Parser), service is null ? null : service.Query);
        binder.AddMethod(FakeQdrantMethods.Unary(Service, "QueryBatch", QueryBatchPoints.Parser, QueryBatchResponse.Parser), service is null ? null : service.QueryBatch);
        binder.AddMethod(FakeQdrantMethods.Unary(Service, "CreateFieldIndex", CreateFieldIndexCollection.Parser, PointsOperationResponse.Parser), service is null ? null : service.CreateFieldIndex);
    }

    public virtual Task<PointsOperationResponse> Upsert(UpsertPoints request, ServerCallContext context) =>
        fake.HandleAsync("Upsert", request, context, e => { e.Upsert(request); return fake.Completed(); });

    public virtual Task<PointsOperationResponse> Delete(DeletePoints request, ServerCallContext context) =>
        fake.HandleAsync("Delete", request, context, e => { e.Delete(request); return fake.Completed(); });

    public virtual Task<GetResponse> Get(GetPoints request, ServerCallContext context) =>
        fake.HandleAsync("Get", request, context, e => new GetResponse { Result = { e.Get(request) } });

    public virtual Task<ScrollResponse> Scroll(ScrollPoints request, ServerCallContext context) =>
        fake.HandleAsync("Scroll", request, context, e => e.Scroll(request));

    public virtual Task<CountResponse> Count(CountPoints request, ServerCallContext context) =>
        fake.HandleAsync("Count", request, context, e => new CountResponse { Result = new CountResult { Count = e.Count(request) } });

    public virtual Task<QueryResponse> Query(QueryPoints request, ServerCallContext context) =>
        fake.HandleAsync("Query", request, context, e => new QueryResponse { Result = { e.RunQuery(request) } });

    public virtual Task<QueryBatchResponse> QueryBatch(QueryBatchPoints request, ServerCallContext context) =>
        fake.HandleAsync("QueryBatch", request, context, e =>
        {
            var response = new QueryBatchResponse();
            foreach (var query in request.QueryPoints)
            {
                query.CollectionName = request.CollectionName;
                response.Result.Add(new BatchResult { Result = { e.RunQuery(query) } });
            }
            return response;
        });

    public virtual Task<PointsOperationResponse> CreateFieldIndex(CreateFieldIndexCollection request, ServerCallContext context) =>
        fake.HandleAsync("CreateFieldIndex", request, context, e => { e.CreateIndex(request); return fake.Completed(); });
}

[BindServiceMethod(typeof(FakeQdrantCollections), nameof(BindService))]
public class FakeQdrantCollections(FakeQdrant fake)
{
    private const string Service = "qdrant.Collections";

    public static void BindService(ServiceBinderBase binder, FakeQdrantCollections? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(FakeQdrantMethods.Unary(Service, "Get", GetCollectionInfoRequest.Parser, GetCollectionInfoResponse.Parser), service is null ? null : service.Get);
        binder.AddMethod(FakeQdrantMethods.Unary(Service, "Create", CreateCollection.Parser, CollectionOperationResponse.Parser), service is null ? null : service.Create);
        binder.AddMethod(FakeQdrantMethods.Unary(Service, "Delete", DeleteCollection.Parser, CollectionOperationResponse.Parser), service is null ? null : service.Delete);
        binder.AddMethod(FakeQdrantMethods.Unary(Service, "CollectionExists", CollectionExistsRequest.Parser, CollectionExistsResponse.Parser), service is null ? null : service.CollectionExists);
    }

    public virtual Task<GetCollectionInfoResponse> Get(GetCollectionInfoRequest request, ServerCallContext context) =>
        fake.HandleAsync("GetCollection", request, context, e => new GetCollectionInfoResponse { Result = e.Info(request.CollectionName) });

    public virtual Task<CollectionOperationResponse> Create(CreateCollection request, ServerCallContext context) =>
        fake.HandleAsync("CreateCollection", request, context, e => { e.Create(request); return new CollectionOperationResponse { Result = true }; });

    public virtual Task<CollectionOperationResponse> Delete(DeleteCollection request, ServerCallContext context) =>
        fake.HandleAsync("DeleteCollection", request, context, e => new CollectionOperationResponse { Result = e.Delete(request.CollectionName) });

    public virtual Task<CollectionExistsResponse> CollectionExists(CollectionExistsRequest request, ServerCallContext context) =>
        fake.HandleAsync("CollectionExists", request, context, e => new CollectionExistsResponse { Result = new CollectionExists { Exists = e.Exists(request.CollectionName) } });
}

[BindServiceMethod(typeof(FakeQdrantHealth), nameof(BindService))]
public class FakeQdrantHealth(FakeQdrant fake)
{
    public static void BindService(ServiceBinderBase binder, FakeQdrantHealth? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(FakeQdrantMethods.Unary("qdrant.Qdrant", "HealthCheck", HealthCheckRequest.Parser, HealthCheckReply.Parser), service is null ? null : service.HealthCheck);
    }

    public virtual Task<HealthCheckReply> HealthCheck(HealthCheckRequest request, ServerCallContext context) =>
        fake.HandleAsync("HealthCheck", request, context, _ => new HealthCheckReply { Title = "qdrant - vector search engine", Version = fake.Version });
}
